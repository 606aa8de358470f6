#!/usr/bin/env bash
# How soon a report of a 100,000-exec storm is interactive in a real browser (the distribution's
# Chromium, headless): records the storm with the real monitor, builds the report through the
# package's launcher (its 128 MiB heap), opens it OPENS times (default 7) and prints the median
# and every time, from navigation to the page's first interactive frame.
#   sudo bench/report.sh [OPENS]
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$(readlink -f "$0")")/lib.sh"
opens="${1:-7}"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
run_it "$log" 'ReportIT#aHundredThousand*' -Dprocmon.report.opens="$opens"
grep -E '^(100k report|report of)' "$log" || { echo "report: no figure in the test's output" >&2; exit 1; }
