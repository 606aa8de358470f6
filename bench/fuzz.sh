#!/usr/bin/env bash
# Fuzzes procmon's parsers of hostile input with Jazzer, each target SECONDS (default 600) in
# fuzzing mode, JOBS targets at a time (default 1; one per core at most), and prints per target
# the executions, the coverage reached, the corpus and the findings. A finding (an input that made
# a target throw) is saved by Jazzer beside the target's regression corpus
# (src/test/resources/.../<Class>Inputs/<method>/crash-*), which the unit tests then run: commit it
# with the fix. The corpus grown while fuzzing stays in each module's .cifuzz-corpus/ and seeds
# the next run.
#   bench/fuzz.sh [SECONDS] [JOBS] [TARGET...]      TARGET: Class#method, default all of them
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$(readlink -f "$0")")/lib.sh"
seconds="${1:-600}"
jobs="${2:-1}"
shift $(($# < 2 ? $# : 2))
[[ "$seconds" =~ ^[1-9][0-9]*$ ]] || { echo "fuzz: SECONDS must be a positive number, not '$seconds'" >&2; exit 2; }
[[ "$jobs" =~ ^[1-9][0-9]*$ ]] || { echo "fuzz: JOBS must be a positive number, not '$jobs'" >&2; exit 2; }

# module:Class#method of every fuzz target (the classes named *FuzzTest).
mapfile -t all < <(cd "$root" && grep -rl --include='*FuzzTest.java' '@FuzzTest' procmon-*/src/test/java | sort | while read -r f; do
  module="${f%%/*}" class="$(basename "$f" .java)"
  grep -A1 '@FuzzTest' "$f" | sed -n 's/^ *void \([A-Za-z0-9_]*\)(.*/\1/p' | sed "s|^|$module:$class#|"
done)
targets=()
if [ $# -eq 0 ]; then
  targets=("${all[@]}")
else
  for want in "$@"; do
    match="$(printf '%s\n' "${all[@]}" | grep -F ":$want" | head -1)" || true
    [ -n "$match" ] || { echo "fuzz: no target $want; targets: ${all[*]#*:}" >&2; exit 2; }
    targets+=("$match")
  done
fi

"$root/scripts/ensure-deps.sh" test >/dev/null
(cd "$root" && mvn -B -q install -DskipTests >/dev/null)
out="$root/bench/out/fuzz"
mkdir -p "$out"

fuzz_one() { # module:Class#method
  local module="${1%%:*}" test="${1#*:}"
  local log="$out/${test/\#/.}.log"
  (cd "$root/$module" && JAZZER_FUZZ=1 mvn -B surefire:test -Dtest="$test" -Dsurefire.failIfNoSpecifiedTests=false \
      -Djazzer.internal.arg.0=fuzz -Djazzer.internal.arg.1=-max_total_time="$seconds") >"$log" 2>&1
}

echo "fuzzing ${#targets[@]} targets for ${seconds} s each, $jobs at a time; logs in bench/out/fuzz/"
pids=() failed=0
for t in "${targets[@]}"; do
  fuzz_one "$t" & pids+=($!)
  if [ "${#pids[@]}" -ge "$jobs" ]; then
    wait "${pids[0]}" || failed=1
    pids=("${pids[@]:1}")
  fi
done
for p in "${pids[@]}"; do wait "$p" || failed=1; done

printf '%-70s %12s %8s %10s %8s\n' target executions exec/s coverage findings
for t in "${targets[@]}"; do
  test="${t#*:}" log="$out/${test/\#/.}.log"
  done_line="$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -1)" || true
  execs="$(sed -n 's/^Done \([0-9]*\) runs in .*/\1/p' "$log" | tail -1)"
  rate="$(sed -n 's/.*exec\/s: \([0-9]*\).*/\1/p' <<<"$done_line")"
  cov="$(sed -n 's/.*cov: \([0-9]*\).*/\1/p' <<<"$done_line")"
  findings="$(grep -c '== Java Exception\|FuzzTestFindingException\|Timeout after' "$log" || true)"
  printf '%-70s %12s %8s %10s %8s\n' "$test" "${execs:-?}" "${rate:-?}" "${cov:-?}" "$findings"
  [ -n "$execs" ] && [ "$findings" = 0 ] || failed=1
done
[ "$failed" = 0 ] || { echo "fuzz: a target found something or did not run: see its log" >&2; exit 1; }
