#!/usr/bin/env bash
# CI: the Debian package for real. Installs procmon-deb/target/procmon_*_all.deb with apt-get
# (pulling its dependencies), runs `procmon --version` from another directory and `procmon -o FILE`
# on a real process, purges it and checks nothing is left, and runs lintian (no errors allowed).
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)"
deb="$(ls "$root"/procmon-deb/target/procmon_*_all.deb)"
command -v lintian >/dev/null || { apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends lintian >/dev/null; }

echo "package-check: lintian $deb" >&2
lintian --fail-on error "$deb"

DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$deb" >/dev/null
trap 'dpkg --purge procmon >/dev/null 2>&1 || true' EXIT
files="$(dpkg -L procmon)"
work="$(mktemp -d)"
cd "$work"
version="$(procmon --version)"
echo "package-check: $version" >&2
[[ "$version" == "procmon "* ]] || { echo "package-check: unexpected --version: $version" >&2; exit 1; }
"$root/scripts/record-one.sh" "$work/rows.csv" procmon
mkdir -p /var/log/procmon   # as the service would have made it: purge must remove it
dpkg --purge procmon >/dev/null
cd /
rm -rf "$work"
left=""
while IFS= read -r f; do
  [ -e "$f" ] && [ ! -d "$f" ] && left+="$f "
done <<<"$files"
for d in /usr/share/procmon /usr/share/doc/procmon /var/log/procmon /var/cache/procmon; do
  [ -e "$d" ] && left+="$d "
done
if [ -n "$left" ] || dpkg -s procmon >/dev/null 2>&1; then
  echo "package-check: left behind after purge: ${left:-the package record}" >&2; exit 1
fi
echo "package-check: installed, recorded, purged; lintian clean"
