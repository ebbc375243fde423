#!/usr/bin/env bash
# 100,000 users on one node (issue #12): writes an office park into a fresh data dir (ScaleDataSet,
# server test classes: users with SIP HA1, a desk phone each, presence profiles with BUDDIES buddies
# each, BINDINGS bindings, through the server's own store classes; then the file compacted once,
# CompactStore, as the server's compactor keeps it), starts the jar on it with
# -Xmx$HEAP and reports the time to /api/health 200, the heap used after a full GC, the resident
# size and the bytes on disk; then (unless RATES=0) compare.py's SIPp scenarios against Switchboard
# on a copy of that data set and on an empty store, one after the other.
#
#   bench/scale.sh                                   # 100,000 users, 1,000,000 buddy relations, 200,000 bindings
#   USERS=20000 BINDINGS=40000 RATES=0 bench/scale.sh
#   DATA=/tmp/set bench/scale.sh                     # reuse a data set written before (KEEP=1 keeps it)
#   JAR=/tmp/before.jar DATA=/tmp/set RATES=0 bench/scale.sh   # another build on the same data set
#
# Each start reports the time to health, heap and resident size right after it, then waits until the
# background reads are all in (telephony's "Endpoint owners known" is the last) and reports them again.
# The first start on the data set is the one after an install or upgrade: it builds the indexes this build
# has and the data set lacks, creates the admin if missing and, as run.sh does, writes the class-data
# archive when it stops (CDS=0: none). The STARTS measured after it are the later ones, as run.sh makes
# them (with that archive), each on a fresh copy of the data set as the first start left it.
#
# Loopback only, bounded; everything started is ended by pid.
set -euo pipefail
cd "$(dirname "$0")/.."

USERS=${USERS:-100000}
BUDDIES=${BUDDIES:-10}
BINDINGS=${BINDINGS:-200000}
HEAP=${HEAP:-1g}
STARTS=${STARTS:-2}
RATES=${RATES:-1}
SCENARIOS=${SCENARIOS:-B,C}
STEP_SECONDS=${STEP_SECONDS:-8}
KEEP=${KEEP:-0}
DATA=${DATA:-}
JAR=${JAR:-server/target/switchboard.jar}   # another build's jar, to compare before and after on one data set
CDS=${CDS:-1}                                # the class-data archive, as run.sh makes and uses it

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
SIP_PORT=$(free_port)
WEB_PORT=$(free_port)
# shellcheck source=bench/lib.sh
. bench/lib.sh
prepare
[ -f server/target/test-classes/io/switchboard/server/ScaleDataSet.class ] \
  && [ -f uc-store/target/test-classes/io/switchboard/core/store/CompactStore.class ] || mvn -B -o -q -pl server -am test-compile

work=$(mktemp -d /tmp/switchboard-scale.XXXXXX)
SERVER=
cleanup() {
  [ -n "$SERVER" ] && stop_server
  if [ "$KEEP" = 1 ]; then echo "scale: kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "scale: load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
if [ -z "$DATA" ]; then
  DATA=$work/set
  began=$(date +%s.%N)
  timeout 3600 java -Xmx2g -cp server/target/test-classes:server/target/switchboard.jar \
    io.switchboard.server.ScaleDataSet "$DATA" "$USERS" "$BUDDIES" "$BINDINGS" uc.test > "$work/dataset.log" 2>&1 \
    || { tail -30 "$work/dataset.log" >&2; exit 1; }
  grep '^scale:' "$work/dataset.log"
  # As the server's compactor would have, 2 MB a second: else the first minutes of every start rewrite chunks.
  timeout 1800 java -Xmx1g -cp uc-store/target/test-classes:server/target/switchboard.jar \
    io.switchboard.core.store.CompactStore "$DATA" 2>&1 | grep '^scale:'
  printf 'scale: data set written in %.0f s\n' "$(echo "$(date +%s.%N) - $began" | bc)"
fi
echo "scale: data set on disk: $(du -sb "$DATA" | cut -f1) bytes ($(du -sh "$DATA" | cut -f1))"

# measure_start NAME SOURCE [java options]: one start on a copy of the data set SOURCE: time to
# /api/health 200 (polled every 0.1 s), then heap and RSS; its data dir is left in $work/start-NAME/data.
measure_start() {
  local name=$1
  local run=$work/start-$1
  local source=$2
  shift 2
  mkdir -p "$run"
  cp -r "$source" "$run/data"
  local t0
  t0=$(date +%s%N)
  env SWITCHBOARD_SIP_PORT="$SIP_PORT" SWITCHBOARD_SIP_BIND_ADDRESS=127.0.0.1 SWITCHBOARD_SIP_DOMAIN=uc.test \
    SWITCHBOARD_WEB_PORT="$WEB_PORT" SWITCHBOARD_WEB_BIND_ADDRESS=127.0.0.1 SWITCHBOARD_DATA_DIR="$run/data" \
    SWITCHBOARD_PROVISIONING_PORT="$(free_port)" SWITCHBOARD_PROVISIONING_BIND_ADDRESS=127.0.0.1 \
    SWITCHBOARD_SIP_TLS_PORT="$(free_port)" SWITCHBOARD_ADMIN_PASSWORD=bench-admin-pw \
    "$(server/java.sh)" -Xmx"$HEAP" "$@" ${JAVA_OPTS:-} -jar "$JAR" > "$run/server.log" 2>&1 &
  SERVER=$!
  local up=
  for _ in $(seq 1 1200); do
    if curl -sf -o /dev/null "http://127.0.0.1:$WEB_PORT/api/health"; then up=1; break; fi
    kill -0 "$SERVER" 2>/dev/null || break
    sleep 0.1
  done
  local t1
  t1=$(date +%s%N)
  if [ -z "$up" ]; then
    echo "scale: the server did not become healthy" >&2
    tail -30 "$run/server.log" >&2
    exit 1
  fi
  # CPU time (user + system, all threads) until then: what a loaded machine stretches the wall time from.
  local ticks
  ticks=$(awk '{print $14 + $15}' "/proc/$SERVER/stat")
  printf 'scale: start %s: /api/health 200 after %.2f s (server CPU until then %.1f s; load average %s)\n' "$name" \
    "$(echo "($t1 - $t0) / 1000000000" | bc -l)" "$(echo "$ticks / $(getconf CLK_TCK)" | bc -l)" "$(cut -d' ' -f1 /proc/loadavg)"
  jcmd "$SERVER" GC.run > /dev/null
  echo "scale:   right after: heap used after a full GC: $(($(jcmd "$SERVER" GC.heap_info | grep -o 'used [0-9]*K' | head -1 | tr -dc 0-9) / 1024)) MB;" \
    "resident: $(($(grep VmRSS /proc/$SERVER/status | tr -dc 0-9) / 1024)) MB"
  # The whole-collection reads go on after health (telephony's user directory is the last): wait for them.
  for _ in $(seq 1 1200); do
    grep -q 'Endpoint owners known' "$run/server.log" && break
    kill -0 "$SERVER" 2>/dev/null || break
    sleep 0.5
  done
  printf 'scale:   everything in memory (endpoint owners known) after %.2f s\n' "$(echo "($(date +%s%N) - $t0) / 1000000000" | bc -l)"
  grep -o 'Location service \[[^]]*\]\|Presence profiles loaded \[[^]]*\]\|Endpoint owners known \[[^]]*\]\|Started in [0-9.]* [a-z]*\|Start-up \[[^]]*\]' \
    "$run/server.log" | sed 's/^/scale:   /' || true
  jcmd "$SERVER" GC.run > /dev/null
  local heap
  heap=$(jcmd "$SERVER" GC.heap_info | grep -o 'used [0-9]*K' | head -1 | tr -dc 0-9)
  echo "scale:   heap used after a full GC: $((heap / 1024)) MB (of -Xmx$HEAP);" \
    "resident: $(($(grep VmRSS /proc/$SERVER/status | tr -dc 0-9) / 1024)) MB"
  jcmd "$SERVER" GC.class_histogram > "$run/histogram.txt"
  sed -n '4,13p' "$run/histogram.txt" | sed 's/^/scale:   /'
  stop_server
  SERVER=
}

archive=()
first=()
if [ "$CDS" != 0 ]; then
  first=(-XX:ArchiveClassesAtExit="$work/switchboard.jsa" -Xlog:cds=error)
  archive=(-XX:SharedArchiveFile="$work/switchboard.jsa")
fi
measure_start first "$DATA" "${first[@]}"
[ "$CDS" = 0 ] || echo "scale:   class-data archive: $(du -sh "$work/switchboard.jsa" | cut -f1)"
for i in $(seq 1 "$STARTS"); do
  measure_start "$i" "$work/start-first/data" "${archive[@]}"
  rm -rf "$work/start-$i/data"
done

if [ "$RATES" != 0 ]; then
  for where in data-set empty; do
    echo "scale: SIPp on $where (bench/compare.py --only switchboard --quick --seconds $STEP_SECONDS --scenarios $SCENARIOS)"
    extra=()
    [ "$where" = data-set ] && extra=(--data "$DATA")
    JAVA_OPTS="-Xmx$HEAP" timeout 3600 python3 bench/compare.py --only switchboard --quick --seconds "$STEP_SECONDS" \
      --scenarios "$SCENARIOS" "${extra[@]}" 2>&1 | tee "$work/compare-$where.log" | grep -A20 '^scenario' || true
  done
fi
echo "scale: load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
