#!/usr/bin/env bash
# Runs the real monitor, as the package starts it, under an exec storm and reports, as root:
#   - time from launch to attached and to its first row (JVM start included),
#   - the exec rate without and with the monitor (the slowdown),
#   - the monitor's CPU time per event (from a cgroup of its own) and its resident memory,
#   - events lost.
# Usage: sudo bench/monitor-bench.sh [EXECS=50000] [WORKERS=4] [MONITOR OPTIONS...]
#   e.g. sudo bench/monitor-bench.sh 20000 4 --exe --args --cgroups --columns pid,start_time,host,cgroup,args
set -euo pipefail
source "$(dirname "$(readlink -f "$0")")/lib.sh"
execs="${1:-50000}"
workers="${2:-4}"
shift $(( $# < 2 ? $# : 2 ))
"$root/procmon" --version >/dev/null            # installs and builds what is missing
work="$(mktemp -d)"
mon=""
trap '[ -z "$mon" ] || stop_monitor; rm -rf "$work"' EXIT
use_launcher "$work"
gcc -O2 -o "$work/storm" "$root/load/storm.c"
cp /bin/true "$work/bench-probe"

rate() { sed -n 's/.*: \([0-9]*\) execs\/s/\1/p' "$1"; }

"$work/storm" "$execs" "$workers" >/dev/null 2>"$work/base.txt"
base="$(rate "$work/base.txt")"

launched="$(date +%s%N)"
start_in_cgroup "$work/monitor.err" "$launcher" -o "$work/out.csv" --debug "$@"
await_row "$work/out.csv" "$work/monitor.err" "$work/bench-probe"
first_row_ms=$(( ($(date +%s%N) - launched) / 1000000 ))
sleep 1

usec0="$(cgroup_cpu_usec)"
"$work/storm" "$execs" "$workers" >/dev/null 2>"$work/with.txt"
sleep 1
usec1="$(cgroup_cpu_usec)"
rss_kib="$(awk '/VmRSS/ {print $2}' "/proc/$mon/status")"
with="$(rate "$work/with.txt")"
stop_monitor
summary="$(grep 'rows written' "$work/monitor.err" || true)"

cpu_us_per_event=$(awk -v t=$((usec1 - usec0)) -v n="$execs" 'BEGIN {printf "%.1f", t / n}')
slowdown=$(awk -v a="$base" -v b="$with" 'BEGIN {printf "%.1f", (1 - b / a) * 100}')
echo "machine:            $(nproc) CPUs, $(uname -r), $(java -version 2>&1 | head -1)"
echo "storm:              $execs execs of /bin/true from $workers workers"
echo "monitor options:    ${*:-(defaults)}; JVM: $PROCMON_JAVA_OPTS"
echo "launch to first row: $first_row_ms ms ($(sed -n 's/.*attached in \([0-9]*\) ms.*/\1/p' "$work/monitor.err") ms of it loading and attaching)"
echo "exec rate:          $base/s without the monitor, $with/s with it (slowdown $slowdown %)"
echo "monitor CPU:        $cpu_us_per_event us per event (its cgroup: every thread, also those that ended)"
echo "monitor RSS:        $((rss_kib / 1024)) MiB"
echo "monitor summary:    $summary"
