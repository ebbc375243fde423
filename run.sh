#!/usr/bin/env bash
# Builds Switchboard when the sources are newer than the jar, then runs it in the foreground with
# the embedded store under ./data. Arguments go to the server, e.g. ./run.sh --config my.properties;
# ./run.sh restore FILE [--force] restores a backup into the stopped server's store instead.
#
# Start-up: the first run of a new jar writes the classes it loaded to server/target/switchboard.jsa when
# it stops (a dynamic class-data archive, -XX:ArchiveClassesAtExit); every later run maps them from there
# (-XX:SharedArchiveFile) instead of loading, verifying and linking them again: about 30 % less CPU to
# /api/health. SWITCHBOARD_CDS=0 runs without it; delete the file to have the next run make it again (a
# first run that stopped at once, on a bad config, leaves an archive of the few classes it loaded).
set -euo pipefail
cd "$(dirname "$0")"
JAR=server/target/switchboard.jar
if [ ! -f "$JAR" ] || [ -n "$(find . -path ./data -prune -o \( -name '*.java' -o -name 'pom.xml' -o -path '*/src/main/resources/*' \) -newer "$JAR" -print -quit)" ]; then
  echo "run.sh: building (mvn -B -q package -DskipTests)"
  mvn -B -q package -DskipTests
fi
ARCHIVE=${JAR%.jar}.jsa
cds=()
if [ "${SWITCHBOARD_CDS:-1}" != 0 ] && [ "${1:-}" != restore ]; then
  if [ -f "$ARCHIVE" ] && [ "$ARCHIVE" -nt "$JAR" ]; then
    cds=(-XX:SharedArchiveFile="$ARCHIVE")
  else
    rm -f "$ARCHIVE" # an archive of another jar: the JVM would refuse it anyway
    cds=(-XX:ArchiveClassesAtExit="$ARCHIVE" -Xlog:cds=error) # no line per class it cannot keep
  fi
fi
exec "$(server/java.sh)" "${cds[@]}" ${JAVA_OPTS:-} -jar "$JAR" "$@"
