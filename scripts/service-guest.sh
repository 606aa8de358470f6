#!/usr/bin/env bash
# The Debian package as a service on a real Debian system: boots the cached Debian 12 image
# (scripts/debian-image.sh: systemd as PID 1, Debian's own 6.1 kernel and default sysctls) once
# under QEMU, and inside runs scripts/service-check.sh against procmon-deb/target/procmon_*_all.deb
# and a copy of it with a higher version (the upgrade). No network in the guest; one share with
# the host carries the packages in and the results out, to target/service-guest/.
#   scripts/service-guest.sh        (after ./run-tests, which builds the package)
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)"
# shellcheck source=guest-lib.sh
. "$root/scripts/guest-lib.sh"
out="$root/target/service-guest"
say() { echo "service-guest: $*" >&2; }
deb="$(ls "$root"/procmon-deb/target/procmon_*_all.deb)"
command -v qemu-system-x86_64 >/dev/null || { apt-get update -qq >&2; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends qemu-system-x86 >/dev/null; }
image="$("$root/scripts/debian-image.sh")"

rm -rf "$out"
mkdir -p "$out/share"
cp "$deb" "$out/share/procmon.deb"
cp "$root/scripts/service-check.sh" "$out/share/check.sh"
# The upgrade: the same package, a higher version.
guest_workdir
dpkg-deb -R "$deb" "$work/pkg"
sed -i 's/^Version: \(.*\)$/Version: \1+upgrade1/' "$work/pkg/DEBIAN/control"
dpkg-deb -b "$work/pkg" "$out/share/procmon-upgrade.deb" >/dev/null

qemu_accel "$out"
# boot ATTEMPT: one boot of the guest; its console log in $out/console.log (an earlier attempt's
# kept as console.attempt-1.log). Fails when the guest did not finish its check.
boot() {
  [ -f "$out/console.log" ] && mv "$out/console.log" "$out/console.attempt-$(( $1 - 1 )).log"
  rm -f "$out/share/exit-code" "$out/share/check.log"
  say "booting Debian 12 ($(basename "$(readlink -f "$image/vmlinuz")"), systemd) under $(cat "$out/accel"), attempt $1; console log: $out/console.log"
  start=$(date +%s)
  timeout 900 qemu-system-x86_64 "${accel_args[@]}" -smp 2 -m 3072 -nodefaults -no-reboot -display none -nic none \
      -kernel "$image/vmlinuz" -initrd "$image/initrd.img" -append "console=ttyS0 root=/dev/vda rw panic=-1 loglevel=4" \
      -drive "file=$image/root.img,format=raw,if=virtio,snapshot=on" \
      -serial "file:$out/console.log" \
      -virtfs "local,path=$out/share,mount_tag=ci,security_model=none" &
  qemu_pid=$!
  wait "$qemu_pid" || true
  qemu_pid=""
  elapsed=$(( $(date +%s) - start ))
  [ -f "$out/share/check.log" ] && cp "$out/share/check.log" "$out/check.log"
  if [ ! -f "$out/share/exit-code" ]; then
    say "the guest did not finish its check after ${elapsed}s; last lines of its console:"
    tail -15 "$out/console.log" >&2
    return 1
  fi
}
# An emulated guest now and then hangs or dies of the emulation itself (see kernel-matrix.sh):
# one more boot tells that from what procmon causes, which recurs.
boot 1 || boot 2 || exit 1
code="$(cat "$out/share/exit-code")"
grep '^service-check:' "$out/share/check.log" >&2 || true
if [ "$code" != 0 ]; then
  tail -40 "$out/share/check.log" >&2
  say "FAILED (exit $code in ${elapsed}s); see $out/check.log"
  exit 1
fi
say "passed in ${elapsed}s"
