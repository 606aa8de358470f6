#!/usr/bin/env bash
# Runs the real monitor under an exec storm and reports, as root:
#   - time from launch to attached (JVM start included),
#   - the exec rate without and with the monitor (the slowdown),
#   - the monitor's CPU time per event and its resident memory,
#   - events lost.
# Usage: sudo bench/monitor-bench.sh [EXECS=50000] [WORKERS=4] [MONITOR OPTIONS...]
#   e.g. sudo bench/monitor-bench.sh 20000 4 --exe --args --cgroups --columns pid,start_time,host,cgroup,args
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)"
execs="${1:-50000}"
workers="${2:-4}"
shift $(( $# < 2 ? $# : 2 ))
"$root/procmon" --version >/dev/null            # installs and builds what is missing
work="$(mktemp -d)"
trap 'kill "$mon" 2>/dev/null || true; rm -rf "$work"' EXIT
gcc -O2 -o "$work/storm" "$root/load/storm.c"
hz="$(getconf CLK_TCK)"

rate() { sed -n 's/.*: \([0-9]*\) execs\/s/\1/p' "$1"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

"$work/storm" "$execs" "$workers" >/dev/null 2>"$work/base.txt"
base="$(rate "$work/base.txt")"

launched="$(date +%s%N)"
java -Xmx256m -XX:+UseSerialGC -jar "$root/procmon-examples/target/procmon.jar" -o "$work/out.csv" --debug "$@" \
  2>"$work/monitor.err" &
mon=$!
until grep -q 'attached in' "$work/monitor.err"; do
  kill -0 "$mon" 2>/dev/null || { cat "$work/monitor.err" >&2; exit 1; }
  sleep 0.01
done
attached_ms=$(( ($(date +%s%N) - launched) / 1000000 ))
sleep 1

ticks0="$(cpu_ticks "$mon")"
"$work/storm" "$execs" "$workers" >/dev/null 2>"$work/with.txt"
sleep 1
ticks1="$(cpu_ticks "$mon")"
rss_kib="$(awk '/VmRSS/ {print $2}' "/proc/$mon/status")"
with="$(rate "$work/with.txt")"
kill -TERM "$mon"   # a background job of a script ignores SIGINT
wait "$mon" || true
summary="$(grep 'rows written' "$work/monitor.err" || true)"

cpu_us_per_event=$(awk -v t=$((ticks1 - ticks0)) -v hz="$hz" -v n="$execs" 'BEGIN {printf "%.1f", t / hz * 1e6 / n}')
slowdown=$(awk -v a="$base" -v b="$with" 'BEGIN {printf "%.1f", (1 - b / a) * 100}')
echo "machine:            $(nproc) CPUs, $(uname -r), $(java -version 2>&1 | head -1)"
echo "storm:              $execs execs of /bin/true from $workers workers"
echo "monitor options:    ${*:-(defaults)}"
echo "launch to attached: $attached_ms ms ($(sed -n 's/.*attached in \([0-9]*\) ms.*/\1/p' "$work/monitor.err") ms of it loading and attaching)"
echo "exec rate:          $base/s without the monitor, $with/s with it (slowdown $slowdown %)"
echo "monitor CPU:        $cpu_us_per_event us per event (user+system, all threads)"
echo "monitor RSS:        $((rss_kib / 1024)) MiB"
echo "monitor summary:    $summary"
