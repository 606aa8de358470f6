#!/usr/bin/env bash
# JMH benchmark of the user-space pipeline (decode -> enrich -> CSV) on one core, in events/s.
# Extra arguments go to JMH (e.g. -wi 1 -i 3 for a quick run). Needs no root.
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)"
"$root/scripts/ensure-deps.sh" run
cd "$root"
mvn -B -q -DskipTests install >/dev/null
cp="$(mktemp)"
mvn -B -q -pl procmon-examples dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$cp" >/dev/null
# One pinned CPU: the figure is per core.
exec taskset -c 0 java -cp "procmon-examples/target/test-classes:procmon-examples/target/classes:$(cat "$cp")" \
  org.openjdk.jmh.Main PipelineBenchmark "$@"
