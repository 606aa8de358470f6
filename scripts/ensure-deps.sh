#!/usr/bin/env bash
# Installs, from the distribution's packages, what procmon needs and the machine lacks, and says
# what it installs. Idempotent; needs root only when something is missing.
#   scripts/ensure-deps.sh run    libbcc, a JDK 17+ and Maven (build and run the monitor)
#   scripts/ensure-deps.sh test   the same, plus a C compiler, make, setpriv and bpftool for the tests
set -euo pipefail
mode="${1:-run}"
need=()

# grep reads all of ldconfig's output: with -q it would exit at the first match, and ldconfig's
# SIGPIPE would fail the pipeline under pipefail (now and then, as if the library were missing).
have_lib() { ldconfig -p 2>/dev/null | grep -F "$1" >/dev/null; }
# The JDK's version from its release file, beside bin/javac: asking javac starts a whole JVM
# (about 0.3 s of CPU on every start of ./procmon).
java_ok() {
  local javac v
  javac="$(command -v javac 2>/dev/null)" || return 1
  v="$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$(dirname "$(dirname "$(readlink -f "$javac")")")/release" 2>/dev/null)" || true
  [ -n "$v" ] || v="$(javac -version 2>&1 | sed -n 's/^javac \([0-9]*\).*/\1/p')" # a JDK without a release file
  [ -n "$v" ] && [ "$v" -ge 17 ]
}

have_lib libbcc_bpf.so.0 || need+=(libbpfcc)
java_ok || need+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null 2>&1 || need+=(maven)
if [ "$mode" = test ]; then
  command -v cc >/dev/null 2>&1 || need+=(gcc libc6-dev)
  command -v make >/dev/null 2>&1 || need+=(make)
  command -v setpriv >/dev/null 2>&1 && command -v nsenter >/dev/null 2>&1 || need+=(util-linux)
  command -v ip >/dev/null 2>&1 || need+=(iproute2)          # hosts as network namespaces (FleetIT)
  command -v bpftool >/dev/null 2>&1 || need+=(bpftool)
  command -v chromium >/dev/null 2>&1 || need+=(chromium)   # the report is tested in a real browser
  command -v prometheus >/dev/null 2>&1 || need+=(prometheus) # the metrics are scraped by a real Prometheus
fi

if [ "${#need[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "procmon: missing packages: ${need[*]}; run as root to install them (sudo $0 $mode)" >&2
    exit 3
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "procmon: missing packages: ${need[*]}; install them with your package manager" >&2
    exit 4
  fi
  echo "procmon: installing ${need[*]} with apt-get" >&2
  apt-get update -qq >&2
  # Packages such as prometheus start their service on install; the tests start their own, on
  # loopback, and leave nothing running: while installing, services may not start (policy-rc.d).
  policy=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    policy=/usr/sbin/policy-rc.d
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy"
    trap 'rm -f "$policy"' EXIT
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >&2
  if [ -n "$policy" ]; then rm -f "$policy"; trap - EXIT; fi
fi
