#!/usr/bin/env bash
# A Debian 12 system to boot under QEMU, with systemd as PID 1 and Debian's own kernel: made once
# with debootstrap and cached (like the kernel matrix's packages), remade when this recipe changes.
# It holds what procmon's package depends on, so the guest installs the package without a network.
#   scripts/debian-image.sh        prints the directory holding root.img, vmlinuz and initrd.img
set -euo pipefail
cache="${PROCMON_KERNEL_CACHE:-/var/cache/procmon-kernel-matrix}"
mirror="${PROCMON_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
# What the image holds; a change of this line makes a new image.
packages="systemd systemd-sysv dbus udev kmod procps util-linux logrotate gzip libbpfcc openjdk-17-jre-headless linux-image-amd64 initramfs-tools"
recipe="bookworm 1 $packages"
image="$cache/debian12-systemd"
say() { echo "debian-image: $*" >&2; }

if [ -f "$image/recipe" ] && [ "$(cat "$image/recipe")" = "$recipe" ] && [ -f "$image/root.img" ]; then
  echo "$image"; exit 0
fi
need=()
command -v debootstrap >/dev/null || need+=(debootstrap)
command -v mkfs.ext4 >/dev/null || need+=(e2fsprogs)
if [ ${#need[@]} -gt 0 ]; then
  say "installing ${need[*]} with apt-get"
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
rm -rf "$image"
mkdir -p "$image"
root="$image/root"
say "debootstrap bookworm into $root (a few minutes, once)"
debootstrap --variant=minbase --include=systemd,systemd-sysv,dbus bookworm "$root" "$mirror" >"$image/debootstrap.log" 2>&1 \
  || { tail -20 "$image/debootstrap.log" >&2; exit 1; }
cat >"$root/etc/apt/sources.list" <<SOURCES
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb ${mirror%/debian}/debian-security bookworm-security main
SOURCES
mount -t proc proc "$root/proc"
trap 'umount "$root/proc" 2>/dev/null || true' EXIT
# No service starts inside the chroot while installing.
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d" && chmod 755 "$root/usr/sbin/policy-rc.d"
# shellcheck disable=SC2086 # the package list is words
chroot "$root" /bin/sh -c "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $packages && apt-get clean" \
  >"$image/install.log" 2>&1 || { tail -30 "$image/install.log" >&2; exit 1; }
rm -f "$root/usr/sbin/policy-rc.d" "$root/var/lib/apt/lists/"*_* 2>/dev/null || true
umount "$root/proc"; trap - EXIT

echo procmon-guest >"$root/etc/hostname"
echo '/dev/vda / ext4 defaults 0 1' >"$root/etc/fstab"
: >"$root/etc/machine-id"    # made at boot
# The check: a share from the host holds the package and the check script; it runs once the system is up, then powers off.
cat >"$root/etc/systemd/system/procmon-ci.service" <<'UNIT'
[Unit]
Description=procmon CI check (from the host's share)
After=multi-user.target
[Service]
Type=oneshot
ExecStart=/bin/sh -c 'mkdir -p /mnt/ci && mount -t 9p -o trans=virtio,version=9p2000.L,msize=524288 ci /mnt/ci && /bin/bash /mnt/ci/check.sh >/mnt/ci/check.log 2>&1; echo $? >/mnt/ci/exit-code; sync'
ExecStartPost=/bin/systemctl poweroff --no-block
StandardOutput=journal+console
[Install]
WantedBy=multi-user.target
UNIT
ln -s /etc/systemd/system/procmon-ci.service "$root/etc/systemd/system/multi-user.target.wants/procmon-ci.service"
# Quicker boots under emulation: no timers that fetch or clean.
for t in apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer fstrim.timer; do ln -sf /dev/null "$root/etc/systemd/system/$t"; done

cp "$(readlink -f "$root/vmlinuz")" "$image/vmlinuz"
cp "$(readlink -f "$root/initrd.img")" "$image/initrd.img"
say "making $image/root.img"
mkfs.ext4 -q -L root -d "$root" "$image/root.img" 4G >&2 # it says "Creating regular file" on stdout, which is our answer
rm -rf "$root"
echo "$recipe" >"$image/recipe"
echo "$image"
