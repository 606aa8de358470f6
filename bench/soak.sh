#!/usr/bin/env bash
# Soak: N processes (default 1,000,000) through the real monitor, started as users start it (the
# package's launcher and heap), its resident memory sampled every 2 s. Prints the samples and
# their first, median and last values; fails if anything was lost or memory grew (LoadIT's soak
# test, which the suite runs with 200,000). About 5.5 minutes for a million here.
#   sudo bench/soak.sh [N]
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)"
n="${1:-1000000}"
"$root/scripts/ensure-deps.sh" test >/dev/null
cd "$root"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
PROCMON_REQUIRE_BPF=1 mvn -B -q install -DskipTests >/dev/null
PROCMON_REQUIRE_BPF=1 mvn -B -pl procmon-examples verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
    -Dit.test='LoadIT#aSoak*' -Dprocmon.soak.events="$n" >"$log" 2>&1 || { tail -40 "$log" >&2; exit 1; }
samples="$(sed -n 's/.*monitor RSS samples (MiB, every 2 s): //p' "$log" | tail -1)"
[ -n "$samples" ] || { echo "soak: no RSS samples in the test's output" >&2; tail -40 "$log" >&2; exit 1; }
echo "soak: $n processes, 0 lost; monitor RSS (MiB) every 2 s: $samples"
echo "$samples" | tr ' ' '\n' | sort -n | awk -v first="${samples%% *}" -v last="${samples##* }" \
    '{ v[NR] = $1 } END { printf "soak: RSS first %d MiB, median %d MiB, max %d MiB, last %d MiB over %d samples\n", first, v[int((NR + 1) / 2)], v[NR], last, NR }'
