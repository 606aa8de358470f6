#!/usr/bin/env bash
# CI: the Debian package for real. Installs procmon-deb/target/procmon_*_all.deb with apt-get
# (pulling its dependencies), runs `procmon --version` from another directory and `procmon -o FILE`
# on a real process, purges it and checks nothing is left, and runs lintian (no errors allowed).
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)"
deb="$(ls "$root"/procmon-deb/target/procmon_*_all.deb)"
# shellcheck source=../bench/lib.sh
. "$root/bench/lib.sh"
need=()
command -v lintian >/dev/null || need+=(lintian)
command -v logrotate >/dev/null || need+=(logrotate)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

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
[ -s /var/cache/procmon/procmon.jsa ] || { echo "package-check: the procmon command wrote no class-data archive in /var/cache/procmon" >&2; exit 1; }

# The package's rotation with the real logrotate, as the service records (its postrotate's
# `systemctl reload` sends SIGHUP; without systemd here, this script sends it).
mkdir -p /var/log/procmon
log=/var/log/procmon/process_events.csv
set -m
procmon --append -o "$log" 2>"$work/rotation.err" &
mon=$!
set +m
await_recording "$work/rotation.err"
for probe in before-rotation after-rotation; do ln -s /bin/true "$work/$probe"; done
await_row "$log" "$work/rotation.err" "$work/before-rotation"
sleep 1   # rows of the probe's later runs still on their way (a row is written within about 0.2 s)
logrotate -f /etc/logrotate.d/procmon
kill -HUP "$mon"
sleep 1   # the reopen happens between two rows, within about 0.1 s
await_row "$log" "$work/rotation.err" "$work/after-rotation"
kill -TERM "$mon"
code=0; wait "$mon" || code=$?
[ "$code" = 0 ] || { cat "$work/rotation.err" >&2; echo "package-check: procmon exited $code after the rotation" >&2; exit 1; }
head -1 "$log" | grep -qx 'PID,PPID,USER,COMMAND,DURATION_MS' || { echo "package-check: the reopened file has no header" >&2; exit 1; }
grep -q ',before-rotation,' "$log.1" && ! grep -q ',after-rotation,' "$log.1" && ! grep -q ',before-rotation,' "$log" \
  || { echo "package-check: rows on the wrong side of the rotation" >&2; exit 1; }
echo "package-check: logrotate rotated $log; after SIGHUP procmon recorded into the new file" >&2
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
