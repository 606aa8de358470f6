#!/usr/bin/env bash
# procmon and bpftrace side by side, each watching the same exec storm, in rotation on this
# machine, as root. For each monitor, the median of the rotations of:
#   - CPU per process from launch: all the monitor's CPU (JIT and start-up included) / storm size
#   - CPU per process in steady state: after a warm-up storm, the CPU of a second storm / its size
#     (CPU is the usage of a cgroup the monitor starts in: to the microsecond, every thread counted,
#     also those that ended, where /proc/PID/stat counts in 10 ms ticks)
#   - RSS: the largest resident set sampled during the storms
#   - launch -> first row visible: from the monitor's launch to a probe process's row in its output
#   - in-kernel cost per exit: run time / runs of its exit program (kernel.bpf_stats_enabled)
#   - idle CPU (procmon and bpftrace): after the storms, the monitor rests IDLE seconds, then its
#     CPU over the next IDLE seconds, in µs per second, with nothing of this script's forked meanwhile
#     (PROCMON_BENCH_IDLE=IDLE, default 60; 0 leaves it out)
# and the split of procmon's steady-state CPU by thread. A third monitor, "procmon+metrics", is procmon
# with the same options and --metrics on loopback, scraped once a second throughout (the scraper, bash
# alone, runs outside the monitor's cgroup; the endpoint's work is the monitor's and is counted).
# A fourth, "procmon+all", is the fleet's monitor with every record and field: JSON Lines with exec
# records (--events exec,exit), arguments, cgroups and executable paths, after the same options;
# its storm rows counted are its exit records (each process also has an exec record). A fifth,
# "procmon+kafka", is procmon+all also sending every record to a real local broker (Apache Kafka from
# Maven Central on 127.0.0.1, outside the monitor's cgroup).
# Debian's exitsnoop (package libbpf-tools: bcc's libbpf-tools in C, built by Debian) runs beside
# bpftrace as the second peer, its output line-buffered as bpftrace's is (stdbuf -oL), so that a row
# is visible when it happens.
# Start-up CPU is the monitor's CPU from launch to its first row visible. The last lines print each
# of issue 28's targets beside its figure, met or not. PROCMON_BENCH_MONITORS="procmon+kafka bpftrace"
# (for example) runs only those monitors, and prints only the lines they answer.
# Usage: sudo bench/compare.sh [ROTATIONS=3] [EXECS=20000] [WARMUP=30000] [-- PROCMON OPTIONS...]
set -euo pipefail
source "$(dirname "$(readlink -f "$0")")/lib.sh"
rotations="${1:-3}" execs="${2:-20000}" warmup="${3:-30000}"
idle="${PROCMON_BENCH_IDLE:-60}"
shift $(( $# < 3 ? $# : 3 ))
[ "${1:-}" = "--" ] && shift
procmon_options=("$@")
"$root/procmon" --version >/dev/null           # installs and builds what is missing
command -v bpftrace >/dev/null || { apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bpftrace >/dev/null; }
command -v bpftool >/dev/null || { apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bpftool >/dev/null; }
[ -x /usr/sbin/exitsnoop ] || { apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libbpf-tools >/dev/null; }
work="$(mktemp -d)"
cg=""
stats_before="$(sysctl -n kernel.bpf_stats_enabled)"
mon=""
scraper=""
broker=""
cleanup() {
  [ -n "$scraper" ] && kill "$scraper" 2>/dev/null || true
  [ -n "$mon" ] && kill -9 "$mon" 2>/dev/null || true
  [ -n "$broker" ] && kill "$broker" 2>/dev/null || true
  if [ -n "$cg" ]; then sleep 0.2; rmdir "$cg" 2>/dev/null || true; fi
  sysctl -qw kernel.bpf_stats_enabled="$stats_before"
  rm -rf "$work"
}
trap cleanup EXIT
sysctl -qw kernel.bpf_stats_enabled=1
monitors=(procmon procmon+metrics procmon+all procmon+kafka bpftrace exitsnoop)
[ -n "${PROCMON_BENCH_MONITORS:-}" ] && read -ra monitors <<<"$PROCMON_BENCH_MONITORS"
ran() { [[ " ${monitors[*]} " == *" $1 "* ]]; } # whether monitor $1 is measured
if ran procmon+kafka; then # a broker for procmon+kafka, held until this script ends
  start_broker "$work" 0 1
fi
gcc -O2 -o "$work/storm" "$root/load/storm.c"
cp /bin/true "$work/cmp-true"       # the storm's own name: its rows are easy to count
cp /bin/true "$work/cmp-probe"      # the probe whose row marks "first row visible"
use_launcher "$work"
in_cgroup() { start_in_cgroup "$work/err.txt" "$@"; }
metrics_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkfifo "$work/never" # read -t on it waits without a child process, unlike sleep
scrape_every_second() { # port: GET /metrics once a second, from bash alone; counts the answers in $work/scrapes
  exec 4<>"$work/never"
  local n=0 line
  while :; do
    if exec 3<>"/dev/tcp/127.0.0.1/$1"; then
      printf 'GET /metrics HTTP/1.0\r\n\r\n' >&3
      IFS= read -r -u 3 line && [ "${line%$'\r'}" = "HTTP/1.1 200 OK" ] && n=$((n + 1)) && echo "$n" >"$work/scrapes"
      while IFS= read -r -u 3 line; do :; done
      exec 3<&-
    fi 2>/dev/null
    read -r -t 1 -u 4 line || true
  done
}
start_monitor() { # name output
  case "$1" in
    procmon) in_cgroup "$launcher" -q -o "$2" "${procmon_options[@]}" ;;
    procmon+all) in_cgroup "$launcher" -q -o "$2" "${procmon_options[@]}" --format jsonl --events exec,exit --args --cgroups --exe ;;
    procmon+kafka) in_cgroup "$launcher" -q -o "$2" "${procmon_options[@]}" --format jsonl --events exec,exit --args --cgroups --exe \
        --kafka "$bootstrap" ;;
    procmon+metrics)
      in_cgroup "$launcher" -q -o "$2" --metrics "127.0.0.1:$metrics_port" "${procmon_options[@]}"
      scrape_every_second "$metrics_port" & scraper=$!
      return ;;
    bpftrace) in_cgroup bpftrace -q -o "$2" -e 'tracepoint:sched:sched_process_exec { @start[pid] = nsecs; }
        tracepoint:sched:sched_process_exit /@start[pid]/ { printf("%d,%d,%d,%s,%d\n", pid, curtask->real_parent->tgid, uid,
          comm, (nsecs - @start[pid]) / 1000000); delete(@start[pid]); }' ;;
    exitsnoop) in_cgroup sh -c 'exec stdbuf -oL /usr/sbin/exitsnoop >"$0"' "$2" ;;
  esac
}
thread_ns() { for t in /proc/"$1"/task/*; do echo "${t##*/} $(tr ' ' _ <"$t/comm" | tr -d '\n') $(cut -d' ' -f1 "$t/schedstat")"; done; }
stop_all() { # the scraper, then the monitor
  if [ -n "$scraper" ]; then kill "$scraper"; wait "$scraper" 2>/dev/null || true; scraper=""; fi
  stop_monitor
}
rss_sampler() { # pid file: the largest VmRSS in KiB, sampled every 100 ms until the pid is gone
  local max=0 v
  while v="$(awk '/VmRSS/ {print $2}' "/proc/$1/status" 2>/dev/null)" && [ -n "$v" ]; do
    [ "$v" -gt "$max" ] && max="$v" && echo "$max" >"$2"
    sleep 0.1
  done
}
exit_prog_cost() { # pid: ns per run of the programs it attached to sched_process_exit
  # bpftool's prog list names no process here (no pids) and truncates names; its perf list has both.
  python3 - "$1" "$(bpftool perf show --json)" "$(bpftool prog show --json)" <<'PY'
import json, sys
pid = int(sys.argv[1])
ids = {l["prog_id"] for l in json.loads(sys.argv[2]) if l.get("pid") == pid and l.get("tracepoint") == "sched_process_exit"}
t = n = 0
for p in json.loads(sys.argv[3]):
    if p["id"] in ids:
        t += p.get("run_time_ns", 0); n += p.get("run_cnt", 0)
print(f"{t / n:.0f}" if n else "nan")
PY
}
cgroup_usec_builtin() { # as cgroup_cpu_usec, with bash alone: an awk started now would be a process the monitor records
  local key value
  while read -r key value; do [ "$key" = usage_usec ] && echo "$value" && return; done <"$cg/cpu.stat"
}
idle_cpu() { # µs of CPU per second over $idle seconds, after $idle seconds of rest; forks nothing in between
  exec 5<>"$work/never"
  local line u0 u1
  read -r -t "$idle" -u 5 line || true
  u0=$(cgroup_usec_builtin)
  read -r -t "$idle" -u 5 line || true
  u1=$(cgroup_usec_builtin)
  exec 5<&-
  echo $(( (u1 - u0) / idle ))
}
storm_rows() { # file: the storm's exit rows in it (in JSON Lines, the records of type process)
  case "$1" in
    *+all.out | *+kafka.out) grep -c '"type":"process","comm":"cmp-true"' "$1" 2>/dev/null || true ;;
    *) grep -c cmp-true "$1" 2>/dev/null || true ;;
  esac
}
wait_rows() { # file count: until the storm's rows are all there (at most 60 s)
  for _ in $(seq 600); do
    [ "$(storm_rows "$1")" -ge "$2" ] && return 0
    sleep 0.1
  done
  echo "compare: only $(storm_rows "$1") of $2 rows in $1" >&2
}

# As on a user's machine after its first run: the class-data archive exists (made at that run's exit).
start_monitor procmon "$work/training.out"
await_row "$work/training.out" "$work/err.txt" "$work/cmp-probe"
"$work/storm" 2000 4 "$work/cmp-true" >/dev/null 2>&1
stop_all
[ -s "$work/procmon.jsa" ] || echo "compare: no class-data archive was made; procmon runs without one" >&2

declare -A results
for r in $(seq "$rotations"); do
  for m in "${monitors[@]}"; do
    out="$work/$m.out"; : >"$out"; echo 0 >"$work/scrapes"
    launched=$(date +%s%N)
    start_monitor "$m" "$out"
    await_row "$out" "$work/err.txt" "$work/cmp-probe"
    first_ms=$(( ($(date +%s%N) - launched) / 1000000 ))
    startup_ms=$(( $(cgroup_cpu_usec) / 1000 ))
    rss_sampler "$mon" "$work/rss" & sampler=$!
    "$work/storm" "$execs" 4 "$work/cmp-true" >/dev/null 2>&1
    wait_rows "$out" "$execs"
    cold=$(awk -v t="$(cgroup_cpu_usec)" -v n="$execs" 'BEGIN {printf "%.1f", t / n}')
    "$work/storm" "$warmup" 4 "$work/cmp-true" >/dev/null 2>&1
    wait_rows "$out" $((execs + warmup))
    t0="$(cgroup_cpu_usec)"
    thread_ns "$mon" >"$work/threads0"
    "$work/storm" "$execs" 4 "$work/cmp-true" >/dev/null 2>&1
    wait_rows "$out" $((2 * execs + warmup))
    steady=$(awk -v t=$(( $(cgroup_cpu_usec) - t0 )) -v n="$execs" 'BEGIN {printf "%.2f", t / n}')
    if [ "$m" = procmon ]; then # threads alive at both ends, those of at least 0.05 us per process
      results[split,$r]="$(thread_ns "$mon" | awk -v n="$execs" 'NR == FNR {a[$1] = $3; next}
        ($1 in a) && ($3 - a[$1]) / n >= 50 {printf "%s=%.2f ", $2, ($3 - a[$1]) / n / 1000}' "$work/threads0" -)"
    fi
    kernel_ns="$(exit_prog_cost "$mon")"
    kill "$sampler" 2>/dev/null || true # its awk and sleep, ten a second, would be processes to record
    wait "$sampler" 2>/dev/null || true
    results[$m,idle,$r]=n/a
    if [ "$idle" -gt 0 ] && { [ "$m" = procmon ] || [ "$m" = bpftrace ] || [ "$m" = exitsnoop ]; }; then # the others idle as procmon (+metrics is scraped each second)
      results[$m,idle,$r]=$(idle_cpu)
    fi
    stop_all
    results[$m,cold,$r]=$cold; results[$m,steady,$r]=$steady; results[$m,first,$r]=$first_ms
    results[$m,rss,$r]=$(( $(cat "$work/rss") / 1024 )); results[$m,kernel,$r]=$kernel_ns; results[$m,startup,$r]=$startup_ms
    scraped=""; [ "$m" = procmon+metrics ] && scraped=", $(cat "$work/scrapes") scrapes answered"
    echo "rotation $r $m: cold $cold us, steady $steady us, rss ${results[$m,rss,$r]} MiB, first row $first_ms ms, start-up CPU $startup_ms ms, kernel $kernel_ns ns/exit, idle ${results[$m,idle,$r]} us/s$scraped" >&2
  done
done

# ./procmon (the repository's script: it checks that nothing needs installing or building) and the
# package's launcher, started alternately with nothing to build: start-up CPU and launch -> first row.
ran procmon && for r in $(seq "$rotations"); do
  for m in launcher ./procmon; do
    out="$work/start.out"; : >"$out"
    launched=$(date +%s%N)
    if [ "$m" = launcher ]; then in_cgroup "$launcher" -q -o "$out" "${procmon_options[@]}"; else in_cgroup "$root/procmon" -q -o "$out" "${procmon_options[@]}"; fi
    await_row "$out" "$work/err.txt" "$work/cmp-probe"
    results[$m,first,$r]=$(( ($(date +%s%N) - launched) / 1000000 ))
    results[$m,startup,$r]=$(( $(cgroup_cpu_usec) / 1000 ))
    stop_all
    echo "rotation $r $m start: first row ${results[$m,first,$r]} ms, start-up CPU ${results[$m,startup,$r]} ms" >&2
  done
done

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
col() { # the median of a column, or n/a
  local m=$1 k=$2 v=()
  for r in $(seq "$rotations"); do v+=("${results[$m,$k,$r]}"); done
  if [ "${v[0]}" = n/a ]; then echo n/a; else median "${v[@]}"; fi
}
echo "machine: $(nproc) CPUs, $(uname -r); storm of $execs execs from 4 workers, warm-up $warmup; medians of $rotations rotations"
echo "procmon options: ${procmon_options[*]:-(defaults)}; JVM: $PROCMON_JAVA_OPTS, class-data archive from a first run"
printf '| %-15s | %-24s | %-22s | %-8s | %-21s | %-16s | %-22s | %-13s |\n' monitor "CPU/process from launch" "CPU/process steady" "RSS MiB" \
  "launch -> first row" "start-up CPU" "in-kernel cost per exit" "idle CPU us/s"
printf '| --- | --- | --- | --- | --- | --- | --- | --- |\n'
for m in "${monitors[@]}"; do
  printf '| %-15s | %21s us | %19s us | %8s | %18s ms | %13s ms | %19s ns | %13s |\n' "$m" "$(col $m cold)" "$(col $m steady)" "$(col $m rss)" \
    "$(col $m first)" "$(col $m startup)" "$(col $m kernel)" "$(col $m idle)"
done
ran procmon && ran bpftrace && awk -v a="$(col procmon cold)" -v b="$(col bpftrace cold)" -v c="$(col procmon steady)" -v d="$(col bpftrace steady)" \
  -v e="$(col procmon first)" -v f="$(col bpftrace first)" \
  'BEGIN {printf "ratios procmon/bpftrace: cold %.2f, steady %.2f, first row %.2f\n", a / b, c / d, e / f}'
[ "$idle" -gt 0 ] && ran procmon && ran bpftrace && awk -v a="$(col procmon idle)" -v b="$(col bpftrace idle)" -v s="$idle" \
  'BEGIN {printf "idle (%d s after %d s of rest): procmon %.0f us/s, bpftrace %.0f us/s, ratio %.2f\n", s, s, a, b, a / b}'
ran procmon && ran bpftrace && ran procmon+metrics && awk -v a="$(col procmon+metrics steady)" -v b="$(col procmon steady)" -v d="$(col bpftrace steady)" \
  'BEGIN {printf "metrics on and scraped each second: steady %.2f of the plain monitor'"'"'s, %.2f of bpftrace'"'"'s\n", a / b, a / d}'
ran procmon && ran bpftrace && ran procmon+all && awk -v a="$(col procmon+all steady)" -v b="$(col procmon steady)" -v d="$(col bpftrace steady)" -v k="$(col procmon+all kernel)" \
  -v j="$(col procmon kernel)" \
  'BEGIN {printf "every record and field (jsonl, exec records, args, cgroups, exe): steady %.2f of the plain monitor'"'"'s, %.2f of bpftrace'"'"'s; in-kernel %.0f ns/exit against %.0f\n", a / b, a / d, k, j}'
if ran procmon; then
  echo "procmon steady-state CPU per process by thread (us), each rotation:"
  for r in $(seq "$rotations"); do echo "  ${results[split,$r]}"; done
fi
target() { # description figure bound: "met" when figure <= bound
  awk -v d="$1" -v f="$2" -v b="$3" 'BEGIN {printf "target: %-62s %8.2f against at most %8.2f: %s\n", d, f, b, (f <= b) ? "met" : "NOT MET"}'
}
bt() { col bpftrace "$1"; }
times() { awk -v a="$1" -v k="$2" 'BEGIN {print a * k}'; }
if ran bpftrace; then
  ran procmon && target "plain steady CPU/process (us), a quarter of bpftrace's" "$(col procmon steady)" "$(times "$(bt steady)" 0.25)"
  ran procmon+all && target "every record and field, steady (us), half of bpftrace's" "$(col procmon+all steady)" "$(times "$(bt steady)" 0.5)"
  ran procmon+kafka && target "the same to Kafka, steady (us), half of bpftrace's" "$(col procmon+kafka steady)" "$(times "$(bt steady)" 0.5)"
  ran procmon && target "launch -> first row (ms), no later than bpftrace's" "$(col procmon first)" "$(bt first)"
  ran procmon && target "start-up CPU (ms), 1.5 times bpftrace's" "$(col procmon startup)" "$(times "$(bt startup)" 1.5)"
  [ "$idle" -gt 0 ] && ran procmon && target "idle CPU (us/s), 1.2 times bpftrace's" "$(col procmon idle)" "$(times "$(bt idle)" 1.2)"
fi
ran procmon && ran exitsnoop && target "plain steady CPU/process (us), half of exitsnoop's" "$(col procmon steady)" "$(times "$(col exitsnoop steady)" 0.5)"
for m in "${monitors[@]}"; do
  [ "$m" = bpftrace ] || target "$m RSS (MiB)" "$(col "$m" rss)" 64
done
if ran procmon; then
  target "./procmon start-up CPU (ms), no more than the package launcher's" "$(col ./procmon startup)" "$(col launcher startup)"
  target "./procmon launch -> first row (ms), no later than the launcher's" "$(col ./procmon first)" "$(col launcher first)"
fi
true
