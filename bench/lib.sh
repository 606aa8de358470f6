# Shared by the bench scripts: source it, then call its functions.
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
