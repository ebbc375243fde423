#!/usr/bin/env bash
# The embedded store alone, through the MongoDB driver (EmbeddedStoreBench, uc-store test scope):
# message-like documents inserted, updated by _id and found by _id from THREADS threads, each write
# followed by the commit a 202 waits for; the rate per tenth of each phase, bytes on disk per
# document, heap and resident memory. Modes: memory and bson-memory (the engine in memory, Java-
# serialised or BSON: the ceilings of the rest), h2-default (H2Backend as mongo-java-server opens it),
# h2-unsynced (our MVStore settings, compressed, commits neither synced nor compacted), h2-tuned (the
# store before BSON: Java-serialised, compressed pages, synced and compacted), bson-compressed and bson (BSON
# maps, compressed or plain pages, the MVStore committed and synced for each commit: the store before the
# journal), journal (EmbeddedMongo as Switchboard opens it: BSON maps, compressed pages, durable writes as
# an fsync of the journal, the MVStore committed at checkpoints), journal-plain (the same, plain pages).
# After each write phase the disk is reported as it is, then after checkpoints and compactions ("settled").
# PARALLEL=1 runs the modes side by side (one JVM each, same load for all) and prints them in order.
#   MODES="bson-compressed journal journal-plain" COUNT=100000 THREADS=8 PARALLEL=1 bench/store-engine.sh
set -euo pipefail
cd "$(dirname "$0")/.."
MODES=${MODES:-"bson-memory bson-compressed journal journal-plain"}
PARALLEL=${PARALLEL:-0}
COUNT=${COUNT:-100000}
THREADS=${THREADS:-8}
mvn -B -o -q -pl uc-store -am test-compile
M2=${M2:-$HOME/.m2/repository}
CP=uc-store/target/test-classes:uc-store/target/classes:uc-core/target/classes
for jar in "$M2"/io/netty/netty-*/4.2.9.Final/*-4.2.9.Final.jar "$M2"/org/mongodb/*/5.6.1/*-5.6.1.jar \
    "$M2"/de/bwaldvogel/*/1.47.0/*-1.47.0.jar "$M2"/com/h2database/h2/2.3.232/h2-2.3.232.jar \
    "$M2"/org/slf4j/slf4j-api/2.0.17/slf4j-api-2.0.17.jar "$M2"/org/slf4j/slf4j-nop/2.0.17/slf4j-nop-2.0.17.jar; do
  CP=$CP:$jar
done
run() {
  local work
  work=$(mktemp -d)
  timeout 7200 java -Xmx1g -cp "$CP" io.switchboard.core.store.EmbeddedStoreBench "$1" "$COUNT" "$THREADS" "$work" || true
  rm -rf "$work"
}
if [ "$PARALLEL" = 1 ]; then
  OUT=$(mktemp -d)
  for MODE in $MODES; do
    run "$MODE" >"$OUT/$MODE.txt" 2>&1 &
  done
  wait
  for MODE in $MODES; do
    cat "$OUT/$MODE.txt"
  done
  rm -rf "$OUT"
else
  for MODE in $MODES; do
    run "$MODE"
  done
fi
