#!/usr/bin/env bash
# The store's write path alone (WriteBatcherBench, uc-store test scope): WRITES message-like inserts,
# OUTSTANDING callers at a time, each done once durable; "single" is one insertOne + commit per task
# on the store pool (the path before batching), "batched" goes through the WriteBatcher (one bulk and
# one commit per batch). Modes run alternately ROUNDS times, each on a fresh embedded store.
# RATE=400 submits the writes at that rate instead (open loop, as SIP requests arrive); each run makes a
# warm-up pass first and prints each write's time until durable (p50, p99).
#   WRITES=5000 OUTSTANDING=64 ROUNDS=2 bench/write-batches.sh
#   RATE=400 WRITES=4000 MODES=batched bench/write-batches.sh
set -euo pipefail
cd "$(dirname "$0")/.."
WRITES=${WRITES:-5000}
OUTSTANDING=${OUTSTANDING:-64}
ROUNDS=${ROUNDS:-2}
MODES=${MODES:-"single batched"}
RATE=${RATE:-0}
CPFILE=$(mktemp)
trap 'rm -f "$CPFILE"' EXIT
# With -am every module writes CPFILE in turn; uc-store, built last, leaves its own (uc-core's classes included).
mvn -B -o -q -pl uc-store -am test-compile dependency:build-classpath -Dmdep.outputFile="$CPFILE" -Dmdep.includeScope=test
CP=uc-store/target/test-classes:uc-store/target/classes:$(cat "$CPFILE")
for ((round = 1; round <= ROUNDS; round++)); do
  for MODE in $MODES; do
    WORK=$(mktemp -d)
    timeout 1800 java -Xmx1g -cp "$CP" io.switchboard.core.store.WriteBatcherBench "$MODE" "$WRITES" "$OUTSTANDING" "$WORK" "$RATE" \
      2>&1 | grep -E "^mode|Exception" || true
    rm -rf "$WORK"
  done
done
