#!/usr/bin/env bash
# procmon collect against kcat, side by side in one run: a real local broker (FleetTopic, Apache
# Kafka from Maven Central on 127.0.0.1, stopped at the end) holding a topic of RECORDS records of
# `--format jsonl --args --cgroups --exe` monitors (about 800 bytes each) from HOSTS hosts' runs.
# Each rotation, kcat, a bare JVM Kafka consumer under collect's JVM options (ConsumeOnly: the
# floor under collect, writing each value as kcat does) and `procmon collect` (CSV, then JSON Lines;
# through the package's launcher, a new consumer group each time) read the whole topic; each
# reader's CPU comes from a cgroup v2 of its own (every thread counted). Prints each run and the
# medians, in µs of CPU per record: in all, and steady (after the first fifth of the records).
# PROCMON_JAVA_OPTS tries other JVM options for both JVM readers.
#   sudo bench/collect.sh [RECORDS] [HOSTS] [ROTATIONS]       default: 1000000 8 3
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$(readlink -f "$0")")/lib.sh"
records="${1:-1000000}" hosts="${2:-8}" rotations="${3:-3}"
command -v kcat >/dev/null || { apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends kcat >/dev/null; }
work="$(mktemp -d)"
broker=""
trap '[ -n "$broker" ] && kill "$broker" 2>/dev/null; [ -n "${mon:-}" ] && kill "$mon" 2>/dev/null; rm -rf "$work"' EXIT
echo "collect-bench: writing $records records of $hosts hosts into a local broker" >&2
start_broker "$work" "$records" "$hosts"
bytes="$topic_bytes"
echo "collect-bench: $records records, $((bytes / records)) bytes each on average, at $bootstrap" >&2
# collect's own JVM options (the launcher's for collect), for both JVM readers
export PROCMON_JAVA_OPTS="${PROCMON_JAVA_OPTS:-$(launcher_opts collect)}"
use_launcher "$work"

# measure NAME EXPECTED-LINES OUTPUT COMMAND...: runs it in a cgroup of its own to its end; appends
# "NAME total-cpu-µs-per-record steady-cpu-µs-per-record wall-s" to $work/results and checks
# OUTPUT has EXPECTED-LINES lines. Steady: the CPU after the first fifth of the records, per
# record written since (start-up and most compiling excluded, as for a collector that runs for
# days); the lines written so far are counted from the new bytes only, in this script's cgroup.
measure() {
  local name="$1" expected="$2" output="$3"; shift 3
  local t0 t1 lines size cpu counted=0 seen=0 warm_cpu="" warm_lines=""
  t0=$(date +%s%N)
  start_in_cgroup "$work/$name.err" "$@"
  while kill -0 "$mon" 2>/dev/null; do
    sleep 0.2
    [ -z "$warm_cpu" ] && [ -f "$output" ] || continue
    cpu=$(cgroup_cpu_usec)
    size=$(stat -c %s "$output")
    seen=$((seen + $(dd if="$output" bs=64k iflag=skip_bytes,count_bytes skip="$counted" count=$((size - counted)) \
        status=none | wc -l)))
    counted=$size
    [ "$seen" -ge $((records / 5)) ] && { warm_cpu=$cpu; warm_lines=$seen; }
  done
  wait "$mon" || { cat "$work/$name.err" >&2; echo "collect-bench: $name failed" >&2; exit 1; }
  t1=$(date +%s%N)
  lines=$(wc -l <"$output")
  [ "$lines" = "$expected" ] || { cat "$work/$name.err" >&2; echo "collect-bench: $name wrote $lines lines, expected $expected" >&2; exit 1; }
  [ -n "$warm_cpu" ] || { echo "collect-bench: $name ended before a fifth of the records was written" >&2; exit 1; }
  awk -v n="$name" -v c="$(cgroup_cpu_usec)" -v r="$records" -v w="$(( (t1 - t0) / 1000000 ))" \
      -v wc="$warm_cpu" -v wl="$warm_lines" -v l="$lines" \
      'BEGIN { printf "%s %.2f %.2f %.1f\n", n, c / r, (c - wc) / (l - wl), w / 1000 }' | tee -a "$work/results" >&2
  rmdir "$cg" 2>/dev/null || { sleep 0.5; rmdir "$cg"; }
  cg=""; mon=""
  rm -f "$output"
}
for r in $(seq "$rotations"); do
  measure kcat "$records" "$work/kcat.out" kcat -C -b "$bootstrap" -t procmon.processes -o beginning -e -q -f '%s\n' \
      >"$work/kcat.out"
  # shellcheck disable=SC2086 # the options are words
  measure jvm-consumer "$records" "$work/jvm.out" java $PROCMON_JAVA_OPTS \
      -cp "$root/procmon-examples/target/test-classes:$(cat "$work/cp")" io.procmon.examples.bench.ConsumeOnly \
      "$bootstrap" procmon.processes "bench-$r-jvm" "$work/jvm.out"
  measure collect-csv $((records + 1)) "$work/fleet.csv" "$launcher" collect --kafka "$bootstrap" --group "bench-$r-csv" \
      -o "$work/fleet.csv" --idle-exit 2 -q
  measure collect-jsonl "$records" "$work/fleet.jsonl" "$launcher" collect --kafka "$bootstrap" --group "bench-$r-jsonl" \
      --format jsonl -o "$work/fleet.jsonl" --idle-exit 2 -q
done
median() { # NAME FIELD: the median of that field of NAME's runs
  grep "^$1 " "$work/results" | awk -v f="$2" '{ print $f }' | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}
kcat_cpu="$(median kcat 2)" kcat_steady="$(median kcat 3)"
echo "reader           CPU µs/record   × kcat   steady µs/record   × kcat   wall s   (medians of $rotations; steady: after the first fifth; wall includes collect's 2 s idle exit)"
for name in kcat jvm-consumer collect-csv collect-jsonl; do
  awk -v n="$name" -v c="$(median "$name" 2)" -v k="$kcat_cpu" -v s="$(median "$name" 3)" -v ks="$kcat_steady" -v w="$(median "$name" 4)" \
      'BEGIN { printf "%-16s %15.2f %8.1f %18.2f %8.1f %8.1f\n", n, c, c / k, s, s / ks, w }'
done
