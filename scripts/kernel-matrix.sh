#!/usr/bin/env bash
# Runs procmon's real-kernel tests (@BpfTest classes of procmon-bpf) on other kernels, each booted
# under QEMU/KVM from the distribution's kernel image package (unpacked, never installed as the
# host's kernel). The guest gets the host's file system read-only over virtio-9p, an initramfs of
# its own with the modules that needs, no network, and one writable share for its test reports.
#
#   scripts/kernel-matrix.sh [KERNEL...]      default: the newest Debian 12 6.1 and 6.12 kernels
#       KERNEL is a regular expression for a package name; the newest match is taken
#
# Needs the built jars and test classes (run ./run-tests or mvn verify first). Reports land in
# target/kernel-matrix/<kernel release>/; it fails when a test fails or is skipped in any guest,
# or when a guest does not boot (the reason in one line, the console log beside the reports).
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)"
out="$root/target/kernel-matrix"
cache="${PROCMON_KERNEL_CACHE:-/var/cache/procmon-kernel-matrix}"
patterns=("$@")
[ ${#patterns[@]} -gt 0 ] || patterns=('linux-image-6\.1\.0-[0-9]+-amd64-unsigned' 'linux-image-6\.12\.[0-9]+\+deb12-amd64-unsigned')

say() { echo "kernel-matrix: $*" >&2; }
need=()
command -v qemu-system-x86_64 >/dev/null || need+=(qemu-system-x86)
[ -x /bin/busybox ] && /bin/busybox --list 2>/dev/null | grep -qx switch_root || need+=(busybox-static)
command -v depmod >/dev/null || need+=(kmod)
command -v xz >/dev/null || need+=(xz-utils)
command -v cpio >/dev/null || need+=(cpio)
if [ ${#need[@]} -gt 0 ]; then
  say "installing ${need[*]} with apt-get"
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# The test class path, resolved once on the host; the guest reads the same files.
rm -rf "$out"
mkdir -p "$out" "$cache"
# (package: Maven 3.8 resolves a reactor module only from a lifecycle phase; compiled already, it is quick)
(cd "$root" && mvn -B -q -pl procmon-bpf -am -DskipTests package dependency:build-classpath -Dmdep.includeScope=test \
    -Dmdep.outputFile="$out/classpath.txt" >"$out/maven.log" 2>&1) || { cat "$out/maven.log" >&2; exit 1; }
junit="$(sed -n 's:.*<junit.version>\(.*\)</junit.version>.*:\1:p' "$root/pom.xml")"
(cd "$root" && mvn -B -q dependency:copy -Dartifact="org.junit.platform:junit-platform-console-standalone:${junit/5./1.}" \
    -DoutputDirectory="$out" >"$out/maven.log" 2>&1) || { cat "$out/maven.log" >&2; exit 1; }
launcher="$(ls "$out"/junit-platform-console-standalone-*.jar)"
procmon_core="$root/procmon-core/target/classes"
cp="$root/procmon-bpf/target/test-classes:$root/procmon-bpf/target/classes:$procmon_core:$(cat "$out/classpath.txt" \
    | tr ':' '\n' | grep -v '/io/procmon/' | paste -sd:):$launcher"
java_home="$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")"

failed=()
for pattern in "${patterns[@]}"; do
  pkg="$(apt-cache search --names-only "^${pattern}\$" 2>/dev/null | awk '{print $1}' | sort -V | tail -1 || true)"
  if [ -z "$pkg" ]; then
    apt-get update -qq >&2
    pkg="$(apt-cache search --names-only "^${pattern}\$" | awk '{print $1}' | sort -V | tail -1 || true)"
  fi
  [ -n "$pkg" ] || { say "no package matches $pattern in the distribution's archive"; failed+=("$pattern"); continue; }
  deb="$(ls "$cache/${pkg}"_*.deb 2>/dev/null | tail -1 || true)"
  if [ -z "$deb" ]; then
    say "downloading $pkg"
    (cd "$cache" && apt-get download -q "$pkg" >/dev/null 2>&1) || { say "$pkg: download failed"; failed+=("$pkg"); continue; }
    deb="$(ls "$cache/${pkg}"_*.deb | tail -1)"
  fi
  if ! "$root/scripts/boot-guest.sh" "$deb" "$out" "$root" "$cp" "$java_home"; then
    # An emulated guest now and then dies of the emulation itself (a double fault with garbage in
    # EFLAGS, a JVM aborting under TCG). One more boot tells that from what procmon causes, which
    # recurs; boot-guest.sh keeps the first attempt's logs in <release>.attempt-1.
    say "$pkg: failed once; booting it a second time (the first attempt's logs go to <release>.attempt-1)"
    "$root/scripts/boot-guest.sh" "$deb" "$out" "$root" "$cp" "$java_home" || failed+=("$pkg")
  fi
done

if [ ${#failed[@]} -gt 0 ]; then
  say "FAILED on: ${failed[*]}"
  exit 1
fi
say "all kernels green; reports in $out"
