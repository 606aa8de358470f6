#!/usr/bin/env bash
# How soon a report of a 100,000-exec storm is interactive in a real browser (the distribution's
# Chromium, headless): records the storm with the real monitor, builds the report through the
# package's launcher (its 128 MiB heap), opens it OPENS times (default 7) and prints the median
# and every time, from navigation to the page's first interactive frame.
#   sudo bench/report.sh [OPENS]
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)"
opens="${1:-7}"
"$root/scripts/ensure-deps.sh" test >/dev/null
cd "$root"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
PROCMON_REQUIRE_BPF=1 mvn -B -q install -DskipTests >/dev/null
PROCMON_REQUIRE_BPF=1 mvn -B -pl procmon-examples verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
    -Dit.test='ReportIT#aHundredThousand*' -Dprocmon.report.opens="$opens" >"$log" 2>&1 || { tail -40 "$log" >&2; exit 1; }
grep -E '^(100k report|report of)' "$log" || { echo "report: no figure in the test's output" >&2; exit 1; }
