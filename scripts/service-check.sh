#!/bin/bash
# Runs inside the Debian guest of scripts/service-guest.sh (systemd as PID 1, Debian's kernel and
# sysctls, no network), from the host's share mounted at /mnt/ci: the package's life as an operator
# lives it. Install, configure, enable --now, a workload, a rotation by the real logrotate, a
# restart, an upgrade, a second rotation, a stop, a purge; then every process of the workload must
# be in the service's output exactly once across the rotated files, with no torn row.
set -euo pipefail
share=/mnt/ci
work=/root/check
mkdir -p "$work"
log() { echo "service-check: $*"; }
fail() {
  echo "service-check: FAILED: $*"
  journalctl -u procmon --no-pager -o short-monotonic 2>/dev/null | tail -40 || true
  exit 1
}
export DEBIAN_FRONTEND=noninteractive
log "kernel $(uname -r), kernel.perf_event_paranoid $(cat /proc/sys/kernel/perf_event_paranoid), $(systemctl --version | head -1)"
[ "$(cat /proc/1/comm)" = systemd ] || fail "PID 1 is $(cat /proc/1/comm), not systemd"
[ "$(cat /proc/sys/kernel/perf_event_paranoid)" -ge 3 ] || fail "expected Debian's default perf_event_paranoid (3 or more)"

# A process of another user, started before the service: reported when it ends, with its
# arguments from procmon's /proc snapshot at start.
ln -s /bin/sleep /usr/local/bin/early-nobody
setpriv --reuid=65534 --regid=65534 --clear-groups /usr/local/bin/early-nobody 600 &
early=$!

log "installing the package"
apt-get install -y -q "$share/procmon.deb" >"$work/install.log" 2>&1 || { cat "$work/install.log"; fail "apt-get install"; }
[ -d /var/cache/procmon ] || fail "no /var/cache/procmon after install: the procmon command gets no class-data archive"
# The operator's configuration, in the package's conffile; an upgrade must keep it.
options='--columns pid,ppid,user,command,duration_ms,start_time,end_time,exit_code,signal,started_before,args'
sed -i "s|^PROCMON_OPTIONS=.*|PROCMON_OPTIONS=\"$options\"|" /etc/default/procmon

log "the capabilities of earlier releases (no CAP_SYS_ADMIN) are refused in one line, exit 3"
code=0
systemd-run --quiet --wait --collect --unit procmon-old-caps -p "CapabilityBoundingSet=CAP_BPF CAP_PERFMON CAP_SYS_RESOURCE" \
  -p "StandardError=file:$work/old-caps.err" /usr/bin/procmon -o "$work/old-caps.csv" || code=$?
cat "$work/old-caps.err"
[ "$code" = 3 ] || fail "without CAP_SYS_ADMIN at perf_event_paranoid 3: exit $code, expected 3"
grep -q '^procmon: cannot open the perf event of cpu [0-9]* (perf_event_open): EACCES (Permission denied); kernel.perf_event_paranoid is 3, at which' \
  "$work/old-caps.err" || fail "without CAP_SYS_ADMIN: not the one line that names the rule"
[ "$(wc -l <"$work/old-caps.err")" = 1 ] || fail "without CAP_SYS_ADMIN: more than one line"

log "systemctl enable --now procmon"
systemctl enable --now procmon || fail "systemctl enable --now procmon"
[ "$(systemctl is-active procmon)" = active ] || fail "not active after start"
[ "$(systemctl show -p Type --value procmon)" = notify ] || fail "the unit is not Type=notify"
journalctl -u procmon -o cat | grep -qx 'procmon: recording to /var/log/procmon/process_events.csv' \
  || fail "the journal lacks the one-line start message"
pid1="$(systemctl show -p MainPID --value procmon)"

# Workload: N runs of a command named for the phase; its pids are the ground truth.
phase() {
  local name="$1" n="$2"
  ln -sf /bin/true "/usr/local/bin/$name"
  for _ in $(seq "$n"); do
    "/usr/local/bin/$name" &
    echo "$! $name" >>"$work/expected"
    wait $!
  done
}
: >"$work/expected"
phase phase-a 40
kill "$early"; wait "$early" 2>/dev/null || true
sleep 1
log "rotation by logrotate"
logrotate -f /etc/logrotate.d/procmon || fail "logrotate"
[ -f /var/log/procmon/process_events.csv.1 ] || fail "logrotate did not rotate"
for _ in $(seq 100); do [ -f /var/log/procmon/process_events.csv ] && break; sleep 0.1; done
[ -f /var/log/procmon/process_events.csv ] || fail "procmon did not reopen its file after the rotation"
[ "$(systemctl is-active procmon)" = active ] || fail "not active after the rotation"
[ "$(systemctl show -p MainPID --value procmon)" = "$pid1" ] || fail "the rotation restarted the service"
phase phase-b 40

log "systemctl restart procmon"
systemctl restart procmon || fail "restart"
[ "$(systemctl is-active procmon)" = active ] || fail "not active after the restart"
pid2="$(systemctl show -p MainPID --value procmon)"
[ "$pid2" != "$pid1" ] || fail "restart kept the same process"
phase phase-c 40

log "upgrade to a higher version of the same package"
apt-get install -y -q "$share/procmon-upgrade.deb" >"$work/upgrade.log" 2>&1 || { cat "$work/upgrade.log"; fail "upgrade"; }
dpkg-query -W -f '${Version}' procmon | grep -q '+upgrade' || fail "the upgrade was not installed"
[ "$(systemctl is-active procmon)" = active ] || fail "not active after the upgrade"
[ "$(systemctl show -p MainPID --value procmon)" != "$pid2" ] || fail "the upgrade did not restart the service on the new version"
grep -qF "PROCMON_OPTIONS=\"$options\"" /etc/default/procmon || fail "the upgrade lost the configuration"
phase phase-d 40
sleep 1
log "second rotation (the first rotated file is compressed now)"
logrotate -f /etc/logrotate.d/procmon || fail "second logrotate"
phase phase-e 40

log "systemctl stop procmon"
systemctl stop procmon || fail "stop"
[ "$(systemctl is-active procmon || true)" = inactive ] || fail "not inactive after stop"
systemctl show -p ExecMainStatus --value procmon | grep -qx 0 || fail "stopped with status $(systemctl show -p ExecMainStatus --value procmon)"
cp -a /var/log/procmon "$work/output"
ls -l "$work/output"

# Every file: the header first and only there, whole rows only (procmon report parses each strictly).
header='PID,PPID,USER,COMMAND,DURATION_MS,START_TIME,END_TIME,EXIT_CODE,SIGNAL,STARTED_BEFORE,ARGS'
: >"$work/rows"
files=0
for f in "$work"/output/process_events.csv*; do
  files=$((files + 1))
  case "$f" in *.gz) gunzip -c "$f" >"$work/plain" ;; *) cp "$f" "$work/plain" ;; esac
  [ "$(head -1 "$work/plain")" = "$header" ] || fail "$f does not start with the header"
  [ "$(grep -cx "$header" "$work/plain")" = 1 ] || fail "$f has the header twice"
  [ -z "$(tail -c1 "$work/plain")" ] || fail "$f ends inside a row"
  procmon report "$work/plain" -o "$work/report.html" >/dev/null 2>"$work/report.err" || { cat "$work/report.err"; fail "$f: a row procmon's reader refuses"; }
  tail -n +2 "$work/plain" >>"$work/rows"
done
[ "$files" -ge 3 ] || fail "expected the live file and two rotated ones, found $files"
missing=0
while read -r pid name; do
  n="$(grep -cx "$pid,[0-9]*,root,$name,[0-9]*\.[0-9][0-9],[^,]*,[^,]*,0,,false,/usr/local/bin/$name" "$work/rows" || true)"
  [ "$n" = 1 ] || { echo "pid $pid ($name): $n rows"; missing=$((missing + 1)); }
done <"$work/expected"
[ "$missing" = 0 ] || fail "$missing of $(wc -l <"$work/expected") workload processes not exactly once in the output"
grep -qx "$early,[0-9]*,nobody,early-nobody,[0-9]*\.[0-9][0-9],[^,]*,[^,]*,,15,true,/usr/local/bin/early-nobody 600" "$work/rows" \
  || fail "the other user's process started before the service is not reported with its arguments"
log "$(wc -l <"$work/expected") workload processes each in exactly one row across $files files; the older process of nobody reported"

log "a full disk: exit 7, restarted every RestartSec until there is room"
mount -t tmpfs -o size=256k tmpfs /var/log/procmon
dd if=/dev/zero of=/var/log/procmon/filler bs=4k 2>/dev/null || true
systemctl start procmon 2>/dev/null && fail "started on a full disk"
for _ in $(seq 60); do [ "$(systemctl show -p NRestarts --value procmon)" -ge 1 ] && break; sleep 1; done
[ "$(systemctl show -p NRestarts --value procmon)" -ge 1 ] || fail "not restarted after failing on a full disk (exit $(systemctl show -p ExecMainStatus --value procmon))"
journalctl -u procmon -o cat | grep -q '^procmon: cannot write /var/log/procmon/process_events.csv: .*No space left on device' \
  || fail "the journal does not say the disk is full"
rm /var/log/procmon/filler
for _ in $(seq 60); do [ "$(systemctl is-active procmon || true)" = active ] && break; sleep 1; done
[ "$(systemctl is-active procmon || true)" = active ] || fail "not active once the disk has room"
systemctl stop procmon
umount /var/log/procmon
log "restarted $(systemctl show -p NRestarts --value procmon) times on the full disk, active once it had room"

log "apt-get purge procmon"
systemctl start procmon || fail "start before purge"
apt-get purge -y -q procmon >"$work/purge.log" 2>&1 || { cat "$work/purge.log"; fail "purge"; }
left=""
for p in /lib/systemd/system/procmon.service /etc/systemd/system/multi-user.target.wants/procmon.service /etc/default/procmon \
  /etc/logrotate.d/procmon /usr/bin/procmon /usr/share/procmon /var/log/procmon /var/cache/procmon; do
  [ -e "$p" ] || [ -L "$p" ] && left+="$p "
done
[ -z "$left" ] || fail "left after purge: $left"
pgrep -f procmon.jar >/dev/null && fail "a procmon process still runs after purge"
systemctl list-units --all --no-legend procmon.service | grep -q 'procmon\.service' && fail "systemd still knows procmon.service after purge"
log "purged: no unit, no link, no process, no file"
log "PASSED"
