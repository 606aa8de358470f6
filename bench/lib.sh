# Shared by the bench scripts and scripts/record-one.sh: source it, then call its functions (it sets $root).
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"

# run_it LOG TEST [MAVEN ARGS...]: builds what is missing, then runs one end-to-end test of
# procmon-examples (a pattern of -Dit.test) on the real kernel, its output in LOG; on failure,
# shows the end of LOG and exits 1.
run_it() {
  local log="$1" test="$2"
  shift 2
  "$root/scripts/ensure-deps.sh" test >/dev/null
  (cd "$root" && PROCMON_REQUIRE_BPF=1 mvn -B -q install -DskipTests >/dev/null)
  (cd "$root" && PROCMON_REQUIRE_BPF=1 mvn -B -pl procmon-examples verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
      -Dit.test="$test" "$@") >"$log" 2>&1 || { tail -40 "$log" >&2; exit 1; }
}

# launcher_opts monitor|collect: the JVM options the package's launcher gives that command.
launcher_opts() { sed -n "s/^$1_opts=\"\(.*\)\"\$/\1/p" "$launcher"; }

# The monitor as the package starts it: the shipped launcher, its JVM options, a class-data archive
# of this run's own (made at the first monitor's exit, used by the next ones, as on a user's host).
launcher="$root/procmon-deb/src/deb/bin/procmon"
use_launcher() { # work-dir
  export PROCMON_JAR="$root/procmon-examples/target/procmon.jar" PROCMON_CDS_ARCHIVE="$1/procmon.jsa"
  export PROCMON_JAVA_OPTS="${PROCMON_JAVA_OPTS:-$(launcher_opts monitor)}"
}

# start_in_cgroup STDERR-FILE COMMAND...: runs it in a new cgroup v2 of its own (its CPU to the
# microsecond, every thread counted, also those that ended); sets $mon (its pid) and $cg.
cg_root="$(findmnt -n -o TARGET -t cgroup2 | head -1)"
cgroups=0
start_in_cgroup() {
  [ -n "$cg_root" ] || { echo "bench: no cgroup v2 hierarchy is mounted (its cpu.stat measures the monitor)" >&2; exit 1; }
  local err="$1"; shift
  cg="$cg_root/procmon-bench.$$.$((++cgroups))"
  mkdir "$cg"
  setsid bash -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$cg" "$@" 2>"$err" &
  mon=$!
}
cgroup_cpu_usec() { awk '$1 == "usage_usec" {print $2}' "$cg/cpu.stat"; }

# await_row OUTPUT STDERR-FILE PROBE: runs PROBE (an executable whose name is unique) until its row
# is in OUTPUT, that is until the monitor records; fails with the monitor's errors if it exits first.
await_row() {
  local out="$1" err="$2" probe="$3" name="${3##*/}"
  for _ in $(seq 12000); do
    grep -q "$name" "$out" 2>/dev/null && return 0
    kill -0 "$mon" 2>/dev/null || { echo "bench: the monitor exited before recording:" >&2; cat "$err" >&2; exit 1; }
    "$probe"
    sleep 0.005
  done
  echo "bench: no row of $name in $out after 60 s" >&2; exit 1
}

# await_recording STDERR-FILE: waits until the monitor $mon says it records (at most 180 s, a cold
# build's JIT included); fails with its errors if it exits first.
await_recording() {
  local err="$1"
  for _ in $(seq 1800); do
    grep -q "procmon: recording to" "$err" 2>/dev/null && return 0
    kill -0 "$mon" 2>/dev/null || { echo "procmon exited before recording:" >&2; cat "$err" >&2; exit 1; }
    sleep 0.1
  done
  echo "procmon never said it records, after 180 s:" >&2; cat "$err" >&2; exit 1
}

# stop_monitor: SIGTERM (a background job of a script inherits SIGINT ignored, and the JVM honours
# that), wait for it, remove its cgroup.
stop_monitor() {
  kill -TERM "$mon" 2>/dev/null || true
  wait "$mon" 2>/dev/null || true
  mon=""
  if [ -n "${cg:-}" ]; then rmdir "$cg" 2>/dev/null || { sleep 0.5; rmdir "$cg"; }; cg=""; fi
}

# start_broker WORK-DIR RECORDS HOSTS: builds what is missing, then starts a real local broker (Apache
# Kafka from Maven Central, KRaft, on 127.0.0.1) holding the topic procmon.processes filled with
# RECORDS records of HOSTS hosts' runs (FleetTopic; 0 leaves it empty). It lives until this script
# ends (it reads fd 9 until then). Sets $broker (its pid), $bootstrap and $topic_bytes.
start_broker() {
  local work="$1" records="$2" hosts="$3"
  "$root/scripts/ensure-deps.sh" test >/dev/null
  (cd "$root" && mvn -B -q -DskipTests install >/dev/null && mvn -B -q -pl procmon-examples dependency:build-classpath \
      -Dmdep.includeScope=test -Dmdep.outputFile="$work/cp" >/dev/null)
  mkfifo "$work/hold"
  java -Xmx512m -Dprocmon.kafka.broker.classpath="$root/procmon-kafka/target/kafka-broker.classpath" \
      -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -Dorg.slf4j.simpleLogger.log.org.apache.kafka=off \
      -cp "$root/procmon-examples/target/test-classes:$root/procmon-examples/target/classes:$(cat "$work/cp")" \
      io.procmon.examples.bench.FleetTopic "$records" "$hosts" procmon.processes <"$work/hold" >"$work/topic.out" 2>"$work/topic.err" &
  broker=$!
  exec 9>"$work/hold"
  until grep -q '^ready ' "$work/topic.out" 2>/dev/null; do
    kill -0 "$broker" 2>/dev/null || { cat "$work/topic.err" >&2; echo "bench: the broker or its producer failed" >&2; exit 1; }
    sleep 1
  done
  read -r _ bootstrap topic_bytes <"$work/topic.out"
}
