#!/usr/bin/env bash
# Builds Switchboard when the sources are newer than the jar, then runs it in the foreground with
# the embedded store under ./data. Arguments go to the server, e.g. ./run.sh --config my.properties;
# ./run.sh restore FILE [--force] restores a backup into the stopped server's store instead.
set -euo pipefail
cd "$(dirname "$0")"
JAR=server/target/switchboard.jar
if [ ! -f "$JAR" ] || [ -n "$(find . -path ./data -prune -o \( -name '*.java' -o -name 'pom.xml' -o -path '*/src/main/resources/*' \) -newer "$JAR" -print -quit)" ]; then
  echo "run.sh: building (mvn -B -q package -DskipTests)"
  mvn -B -q package -DskipTests
fi
exec java ${JAVA_OPTS:-} -jar "$JAR" "$@"
