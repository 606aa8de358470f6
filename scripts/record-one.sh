#!/usr/bin/env bash
# Shared by the CI checks: runs a procmon command line in the background, waits until it is
# recording, runs one uniquely named process, stops the monitor with SIGINT and checks that it
# exits 0 and that its CSV has that process's row.
#   scripts/record-one.sh OUTPUT.csv COMMAND [ARGS...]     (COMMAND gets "-o OUTPUT.csv")
set -euo pipefail
# shellcheck source=../bench/lib.sh
. "$(dirname "$(readlink -f "$0")")/../bench/lib.sh"
out="$1"; shift
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
set -m   # job control: the background monitor must not inherit SIGINT as ignored
"$@" -o "$out" 2>"$work/stderr" &
mon=$!
set +m
await_recording "$work/stderr"
name="ci-probe-$$"
ln -s /bin/sleep "$work/$name"
"$work/$name" 0.2 &
probe=$!
wait "$probe"
sleep 0.5
kill -INT "$mon"
code=0
wait "$mon" || code=$?
cat "$work/stderr" >&2
if [ "$code" -ne 0 ]; then
  echo "record-one: monitor exited $code after SIGINT, expected 0" >&2; exit 1
fi
if ! grep -qE "^$probe,$$,[^,]+,$name,[0-9]+\.[0-9]{2}\$" "$out"; then
  echo "record-one: no row for pid $probe ($name) in $out:" >&2; tail -5 "$out" >&2; exit 1
fi
echo "record-one: row for pid $probe ($name) recorded, exit 0"
