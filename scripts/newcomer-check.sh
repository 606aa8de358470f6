#!/usr/bin/env bash
# CI: the README's first command as a newcomer runs it. A fresh clone of this checkout, none of
# procmon's own artifacts in the local Maven repository, `./procmon` builds and records a real
# process, SIGINT stops it with exit 0.
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)"
repo="$HOME/.m2/repository"
echo "newcomer-check: removing procmon's own artifacts from $repo" >&2
rm -rf "$repo/io/procmon"
clone="$(mktemp -d)"
trap 'rm -rf "$clone"' EXIT
git clone -q --no-local "$root" "$clone/procmon"
cd "$clone"
"$root/scripts/record-one.sh" "$clone/process_events.csv" ./procmon/procmon
