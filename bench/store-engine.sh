#!/usr/bin/env bash
# The embedded store alone, through the MongoDB driver (EmbeddedStoreBench, uc-core test scope):
# message-like documents inserted, updated by _id and found by _id from THREADS threads, each write
# followed by the commit a 202 waits for; the rate per tenth of each phase, bytes on disk per
# document, heap and resident memory. Modes: memory (H2 MVStore in memory: the ceiling of the rest),
# h2-default (H2Backend as mongo-java-server opens it), h2-unsynced (our MVStore settings, commits
# neither synced nor compacted), h2-tuned (EmbeddedMongo as Switchboard opens it).
#   MODES="memory h2-default h2-tuned" COUNT=100000 THREADS=8 bench/store-engine.sh
set -euo pipefail
cd "$(dirname "$0")/.."
MODES=${MODES:-"memory h2-default h2-tuned"}
COUNT=${COUNT:-100000}
THREADS=${THREADS:-8}
mvn -B -o -q -pl uc-core -am test-compile
M2=${M2:-$HOME/.m2/repository}
CP=uc-core/target/test-classes:uc-core/target/classes
for jar in "$M2"/io/netty/netty-*/4.2.9.Final/*-4.2.9.Final.jar "$M2"/org/mongodb/*/5.6.1/*-5.6.1.jar \
    "$M2"/de/bwaldvogel/*/1.47.0/*-1.47.0.jar "$M2"/com/h2database/h2/2.3.232/h2-2.3.232.jar \
    "$M2"/org/slf4j/slf4j-api/2.0.17/slf4j-api-2.0.17.jar "$M2"/org/slf4j/slf4j-nop/2.0.17/slf4j-nop-2.0.17.jar; do
  CP=$CP:$jar
done
for MODE in $MODES; do
  WORK=$(mktemp -d)
  timeout 3600 java -Xmx1g -cp "$CP" io.switchboard.core.store.EmbeddedStoreBench "$MODE" "$COUNT" "$THREADS" "$WORK" || true
  rm -rf "$WORK"
done
