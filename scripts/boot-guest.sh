#!/usr/bin/env bash
# One guest of scripts/kernel-matrix.sh: unpacks a kernel image package, builds an initramfs
# (static busybox and the virtio/9p modules of that kernel), boots it under QEMU/KVM with the
# host's / read-only and a results share, runs the @BpfTest classes of procmon-bpf inside, and
# checks the reports: every test ran and passed.
#   scripts/boot-guest.sh KERNEL.deb OUT_DIR REPO_ROOT TEST_CLASSPATH JAVA_HOME
set -euo pipefail
# shellcheck source=guest-lib.sh
. "$(dirname "$(readlink -f "$0")")/guest-lib.sh"
deb="$1" out="$2" root="$3" cp="$4" java_home="$5"
say() { echo "kernel-matrix: $*" >&2; }
guest_workdir

dpkg-deb -x "$deb" "$work/pkg"
vmlinuz="$(ls "$work"/pkg/boot/vmlinuz-*)"
release="${vmlinuz##*/vmlinuz-}"
results="$out/$release"
if [ -d "$results" ]; then # an earlier attempt's logs stay beside this one's
  rm -rf "$results.attempt-1" && mv "$results" "$results.attempt-1"
fi
mkdir -p "$results"
say "$release: preparing the guest"

# The modules the guest needs to reach its root over virtio-9p, in load order.
depmod -b "$work/pkg" "$release"
mkdir -p "$work/initramfs"/{bin,modules,proc,sys,dev,host}
: >"$work/initramfs/modules.list"
for module in virtio_pci 9pnet_virtio 9p; do
  modprobe -S "$release" -d "$work/pkg" --show-depends "$module" | while read -r kind path _; do
    [ "$kind" = insmod ] || continue   # "builtin ..." needs nothing
    name="$(basename "${path%.xz}")"
    grep -qx "$name" "$work/initramfs/modules.list" && continue
    case "$path" in
      *.xz) xz -dc "$path" >"$work/initramfs/modules/$name" ;;
      *) cp "$path" "$work/initramfs/modules/$name" ;;
    esac
    echo "$name" >>"$work/initramfs/modules.list"
  done
done
cp /bin/busybox "$work/initramfs/bin/busybox"
cat >"$work/initramfs/guest.env" <<ENV
RESULTS='$results'
REPO='$root'
JAVA='$java_home/bin/java'
CLASSPATH_FILE='$results/classpath'
ENV
printf '%s' "$cp" >"$results/classpath"
cat >"$work/initramfs/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
. /guest.env
stage() { echo "procmon-guest: $*"; }
die() { echo "procmon-guest: FAILED: $*"; poweroff -f; }
mount -t proc proc /proc && mount -t sysfs sys /sys && mount -t devtmpfs dev /dev
for m in $(cat /modules.list); do insmod "/modules/$m" || die "insmod $m"; done
stage "modules loaded"
mount -t 9p -o trans=virtio,version=9p2000.L,ro,cache=loose,msize=524288 hostroot /host || die "mount the host's / over 9p"
mount -t proc proc /host/proc && mount -t sysfs sys /host/sys && mount -t devtmpfs dev /host/dev || die "mount proc, sys, dev"
# Pseudo-terminals, as every system has them (a test names the terminal script(1) opens).
mkdir -p /host/dev/pts && mount -t devpts -o ptmxmode=0666 devpts /host/dev/pts || die "mount devpts"
# The guest's own /tmp would hide a checkout under the host's /tmp: keep it visible through a bind.
case "$REPO/" in /tmp/*) mkdir -p /repo && mount -o bind "/host$REPO" /repo || die "bind $REPO" ;; esac
mount -t tmpfs tmp /host/tmp && mount -t tmpfs run /host/run || die "mount tmpfs"
case "$REPO/" in /tmp/*) mkdir -p "/host$REPO" && mount -o bind /repo "/host$REPO" || die "bind $REPO back" ;; esac
mount -t 9p -o trans=virtio,version=9p2000.L,msize=524288 results "/host$RESULTS" || die "mount the results share"
mount -t tracefs tracefs /host/sys/kernel/tracing 2>/dev/null || mount -t debugfs debugfs /host/sys/kernel/debug || die "mount tracefs"
# Hybrid cgroups, as on many hosts: v2 at unified, v1 controllers beside it (pids exists in every
# kernel; memory where the kernel still offers it in v1).
mount -t tmpfs cgroup /host/sys/fs/cgroup || die "mount a tmpfs for cgroups"
mkdir -p /host/sys/fs/cgroup/unified /host/sys/fs/cgroup/pids /host/sys/fs/cgroup/memory
mount -t cgroup2 cgroup2 /host/sys/fs/cgroup/unified || die "mount cgroup2"
mount -t cgroup -o pids cgroup /host/sys/fs/cgroup/pids || die "mount the v1 pids controller"
mount -t cgroup -o memory cgroup /host/sys/fs/cgroup/memory 2>/dev/null || rmdir /host/sys/fs/cgroup/memory
stage "running tests on $(uname -r)"
uname -r >"/host$RESULTS/kernel"
# C1 only and the serial collector: under emulation C2's compile work costs more than it saves.
# Fewer processes where a count only scales the work: 1,000 rapid execs instead of 10,000 in ArgsIT
# and 3,000 in the rapid-exec tests of BpfEventSourceIT (an emulated exec takes 90 to 190 ms; each
# process seen, and joined with its own arguments, does not depend on the count) and exit bursts of 3,000 instead of 8,000: the guest checks that this kernel gives
# each process killed in a burst its one row; whether the default rings hold a burst is the same on
# every kernel and is tested at the full count by the host's run.
chroot /host /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/tmp LANG=C.UTF-8 \
    PROCMON_REQUIRE_BPF=1 /bin/sh -c 'cd "$1/procmon-bpf" && exec "$2" -Xmx1g -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Dprocmon.test.rapidExecs=1000 -Dprocmon.test.burst=3000 -cp "$(cat "$3")" \
        org.junit.platform.console.ConsoleLauncher execute --disable-banner --details=tree \
        --scan-classpath "$1/procmon-bpf/target/test-classes" --include-classname ".*IT$" --include-tag bpf --config junit.jupiter.execution.timeout.default=900s \
        --reports-dir "$4/reports"' sh "$REPO" "$JAVA" "$CLASSPATH_FILE" "$RESULTS" >"/host$RESULTS/tests.log" 2>&1
echo $? >"/host$RESULTS/exit-code"
sync
stage "done"
poweroff -f
INIT
chmod +x "$work/initramfs/init"
(cd "$work/initramfs" && find . | cpio -o -H newc --quiet | gzip -1) >"$work/initrd.gz"

qemu_accel "$results"
accel="$(cat "$results/accel")"
say "$release: booting under $accel (console log: $results/console.log)"
start=$(date +%s)
timeout 1800 qemu-system-x86_64 "${accel_args[@]}" -smp 2 -m 4096 -nodefaults -no-reboot -display none -nic none \
    -kernel "$vmlinuz" -initrd "$work/initrd.gz" -append "console=ttyS0 panic=-1 loglevel=5 softlockup_panic=1" \
    -serial "file:$results/console.log" \
    -virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
    -virtfs "local,path=$results,mount_tag=results,security_model=none" &
qemu_pid=$!
wait "$qemu_pid" || true
qemu_pid=""
elapsed=$(( $(date +%s) - start ))

if [ ! -f "$results/exit-code" ]; then
  reason="$(grep -E 'procmon-guest: FAILED|Kernel panic|not syncing' "$results/console.log" | head -1 || true)"
  [ -n "$reason" ] || reason="last stage: $(grep 'procmon-guest:' "$results/console.log" | tail -1 || echo 'none (the kernel did not reach init)')"
  say "$release: the guest did not finish its tests: ${reason//$'\r'/}"
  exit 1
fi
summary="$(grep -E 'tests (successful|failed|skipped|aborted|found)' "$results/tests.log" | tr -s ' ' | paste -sd' ' || true)"
xml="$results/reports/TEST-junit-jupiter.xml"
skipped="$(sed -n 's/.*<testsuite [^>]*skipped="\([0-9]*\)".*/\1/p' "$xml" 2>/dev/null | head -1)"
tests="$(sed -n 's/.*<testsuite [^>]*tests="\([0-9]*\)".*/\1/p' "$xml" 2>/dev/null | head -1)"
code="$(cat "$results/exit-code")"
say "$release: exit $code in ${elapsed}s; $summary"
if [ "$code" != 0 ] || [ -z "$tests" ] || [ "$tests" = 0 ] || [ "${skipped:-1}" != 0 ]; then
  grep -E '✘|MethodSource|=> ' "$results/tests.log" | head -40 >&2 || true
  say "$release: FAILED (tests ${tests:-?}, skipped ${skipped:-?}, exit $code); see $results/tests.log"
  exit 1
fi
