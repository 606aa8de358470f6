#!/usr/bin/env bash
# Exit burst against the real monitor: K exec'd processes killed in the same instant, with a
# given perf ring size. Compares procmon's default (128 pages per CPU) with the BCC original's
# 8 pages: the original itself cannot run here (it needs kernel headers and clang).
# The monitor runs as the package starts it (bench/lib.sh's use_launcher).
# Usage: sudo bench/burst.sh [K=8000] [PAGES...=8 128]
set -euo pipefail
source "$(dirname "$(readlink -f "$0")")/lib.sh"
k="${1:-8000}"
shift || true
pages=("$@")
[ $# -gt 0 ] || pages=(8 128)
"$root/procmon" --version >/dev/null            # installs and builds what is missing
work="$(mktemp -d)"
mon=""
trap '[ -z "$mon" ] || stop_monitor; rm -rf "$work"' EXIT
use_launcher "$work"
gcc -O2 -o "$work/burst" "$root/load/burst.c"
cp /bin/true "$work/burst-probe"
for p in "${pages[@]}"; do
  : >"$work/out.csv"
  start_in_cgroup "$work/err.txt" "$launcher" -o "$work/out.csv" --pages "$p"
  await_row "$work/out.csv" "$work/err.txt" "$work/burst-probe"
  "$work/burst" "$k" >"$work/truth.txt" 2>/dev/null
  burst_pid="$(awk 'NR==1 {print $2}' "$work/truth.txt")"
  sleep 2
  stop_monitor
  seen="$(awk -F, -v p="$burst_pid" '$2 == p' "$work/out.csv" | wc -l)"
  echo "pages per CPU: $p  burst: $k  rows: $seen  missing: $((k - seen))  | $(grep 'rows written' "$work/err.txt")"
done
