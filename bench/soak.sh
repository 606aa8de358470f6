#!/usr/bin/env bash
# Soak: N processes (default 1,000,000) through the real monitor, started as users start it (the
# package's launcher and heap), its resident memory sampled every 2 s. Prints the samples and
# their first, median and last values; fails if anything was lost or memory grew (LoadIT's soak
# test, which the suite runs with 200,000). About 20 minutes for a million here (850 a second).
#   sudo bench/soak.sh [N]
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$(readlink -f "$0")")/lib.sh"
n="${1:-1000000}"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
run_it "$log" 'LoadIT#aSoak*' -Dprocmon.soak.events="$n"
samples="$(sed -n 's/.*monitor RSS samples (MiB, every 2 s): //p' "$log" | tail -1)"
[ -n "$samples" ] || { echo "soak: no RSS samples in the test's output" >&2; tail -40 "$log" >&2; exit 1; }
echo "soak: $n processes, 0 lost; monitor RSS (MiB) every 2 s: $samples"
echo "$samples" | tr ' ' '\n' | sort -n | awk -v first="${samples%% *}" -v last="${samples##* }" \
    '{ v[NR] = $1 } END { printf "soak: RSS first %d MiB, median %d MiB, max %d MiB, last %d MiB over %d samples\n", first, v[int((NR + 1) / 2)], v[NR], last, NR }'
