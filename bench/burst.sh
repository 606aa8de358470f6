#!/usr/bin/env bash
# Exit burst against the real monitor: K exec'd processes killed in the same instant, with a
# given perf ring size. Compares procmon's default (128 pages per CPU) with the BCC original's
# 8 pages: the original itself cannot run here (it needs kernel headers and clang).
# Usage: sudo bench/burst.sh [K=8000] [PAGES...=8 128]
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)"
k="${1:-8000}"
shift || true
pages=("${@:-8 128}")
[ $# -gt 0 ] || pages=(8 128)
"$root/procmon" --version >/dev/null
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
gcc -O2 -o "$work/burst" "$root/load/burst.c"
for p in "${pages[@]}"; do
  java -Xmx256m -XX:+UseSerialGC -jar "$root/procmon-examples/target/procmon.jar" -o "$work/out.csv" --pages "$p" \
    2>"$work/err.txt" &
  mon=$!
  until grep -q 'recording to' "$work/err.txt"; do sleep 0.05; done
  "$work/burst" "$k" >"$work/truth.txt" 2>/dev/null
  burst_pid="$(awk 'NR==1 {print $2}' "$work/truth.txt")"
  sleep 2
  kill -TERM "$mon"
  wait "$mon" || true
  seen="$(awk -F, -v p="$burst_pid" '$2 == p' "$work/out.csv" | wc -l)"
  echo "pages per CPU: $p  burst: $k  rows: $seen  missing: $((k - seen))  | $(grep 'rows written' "$work/err.txt")"
done
