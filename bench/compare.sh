#!/usr/bin/env bash
# Side-by-side benchmark: the same SIPp scenarios (B REGISTER, C MESSAGE to a device, D MESSAGE
# stored, E1 1 x N presence fan-out, E2 P x 1; every SIPp process with one Request-URI, passed as
# -auth_uri for the strict digest check) and rate search against Kamailio (the reference, on
# 127.0.0.1:5080) and Switchboard (the packaged jar, free ports), one after the other; prints one
# table of rates, p99 and ratios. See bench/README.md.
#   bench/compare.sh --quick                 # a few minutes
#   bench/compare.sh                         # the full run (20 s steps, 1,000 users per group)
#   bench/compare.sh --scenarios C,E1 --seconds 10 --jfr /tmp/switchboard.jfr
# Installs what it needs when missing (Debian packages), builds the jar when missing; everything it
# starts is stopped by pid, its temp dir removed (--keep keeps it).
set -euo pipefail
COMMAND="bench/compare.sh${*:+ $*}"
cd "$(dirname "$0")/.."

need=()
for pkg in kamailio kamailio-presence-modules kamailio-sqlite-modules sqlite3 sip-tester python3; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need+=("$pkg")
done
command -v java >/dev/null 2>&1 || need+=(openjdk-17-jre-headless)
if [ ! -f server/target/switchboard.jar ]; then
  command -v mvn >/dev/null 2>&1 || need+=(maven)
  command -v javac >/dev/null 2>&1 || need+=(openjdk-17-jdk-headless)
fi
if [ ${#need[@]} -gt 0 ]; then
  echo "compare: installing ${need[*]}"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
# The Kamailio package starts a system instance on 5060; this benchmark runs its own, on 5080.

if [ ! -f server/target/switchboard.jar ]; then
  echo "compare: building server/target/switchboard.jar"
  mvn -B -o -q -pl server -am package -DskipTests || mvn -B -q -pl server -am package -DskipTests
fi

COMPARE_COMMAND="$COMMAND" exec python3 bench/compare.py "$@"
