#!/usr/bin/env bash
# What recording a meter costs on the SIP path: 5 rounds of 2 million Metrics#sipAnswered calls (one
# counter and one histogram each) and of plain counter increments, then the time and size of a
# scrape of that registry. In-process, no sockets. Needs uc-core built (mvn -o -q -pl uc-core compile).
#   bench/metrics-overhead.sh
set -euo pipefail
cd "$(dirname "$0")/.."
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mvn -B -o -q -pl uc-core dependency:build-classpath -Dmdep.outputFile="$WORK/cp.txt" >/dev/null
CP="$(cat "$WORK/cp.txt"):uc-core/target/classes"
javac -cp "$CP" -d "$WORK" bench/metrics/MetricsOverhead.java
java -cp "$CP:$WORK" MetricsOverhead 2>/dev/null | grep -v DEBUG
