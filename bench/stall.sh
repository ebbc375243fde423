#!/usr/bin/env bash
# Can slow work stall SIP? On loopback only: a store process of its own (mongo-java-server on the
# tuned H2 file, StandaloneStore from uc-store's test classes) and Switchboard with mongo.uri pointing
# to it; SIPp sends OPTIONS (which need no store write) at RATE/s; after a quiet run, three things
# overlap: FLOOD wrong web logins released together, a ROWS-row CSV import (users with SIP passwords
# and Yealink phones; a web password every PASSWORD_EVERY rows, 0: none), and the store process
# stopped (kill -STOP) for PAUSE seconds, then continued. Prints OPTIONS p50/p99/max in the quiet run,
# in the whole stall window (first of the three started to last finished) and during the pause, with
# what the import and the logins answered. Bounded: one import, one flood, the probe stops itself
# (SIGUSR1, or after 20 min); the store and the server are ended by pid (the store continued first).
#   RATE=100 ROWS=5000 FLOOD=100 PAUSE=2 bench/stall.sh
set -euo pipefail
cd "$(dirname "$0")/.."
RATE=${RATE:-100}
QUIET=${QUIET:-15}
ROWS=${ROWS:-5000}
FLOOD=${FLOOD:-100}
PAUSE=${PAUSE:-2}
PASSWORD_EVERY=${PASSWORD_EVERY:-0}
WARMUP=${WARMUP:-3000}
SIP_PORT=${SIP_PORT:-15370}
WEB_PORT=${WEB_PORT:-18380}
PROVISIONING_PORT=${PROVISIONING_PORT:-18381}
STORE_PORT=${STORE_PORT:-18382}
. bench/lib.sh

prepare
[ -f uc-store/target/test-classes/io/switchboard/core/store/StandaloneStore.class ] || mvn -B -o -q -pl uc-store -am test-compile
WORK=$(mktemp -d)
echo "bench: work dir $WORK; OPTIONS at $RATE/s; $FLOOD wrong logins, $ROWS-row import, store paused $PAUSE s; $(nproc) cores"
STORE= PROBE= IMPORT= FLOODER= WIRE=
cleanup() {
  [ -n "$STORE" ] && kill -CONT "$STORE" 2>/dev/null || true
  for pid in $PROBE $IMPORT $FLOODER $WIRE; do kill "$pid" 2>/dev/null || true; done
  stop_server
  [ -n "$STORE" ] && { kill "$STORE" 2>/dev/null || true; wait "$STORE" 2>/dev/null || true; }
}
trap cleanup EXIT

java -Xmx512m -cp uc-store/target/test-classes:server/target/switchboard.jar io.switchboard.core.store.StandaloneStore \
  "$STORE_PORT" "$WORK/store" > "$WORK/store.log" 2>&1 &
STORE=$!
for _ in $(seq 1 60); do grep -q "store listening" "$WORK/store.log" 2>/dev/null && break; sleep 0.5; done
grep "store listening" "$WORK/store.log" || { cat "$WORK/store.log" >&2; exit 1; }

people_csv "$ROWS" "$PASSWORD_EVERY" > "$WORK/people.csv"

start_server "$WORK" SWITCHBOARD_MONGO_URI="mongodb://127.0.0.1:$STORE_PORT" SWITCHBOARD_LOG_LEVEL="${LOG_LEVEL:-warn}" \
  SWITCHBOARD_PROVISIONING_PORT="$PROVISIONING_PORT"
curl -sf -c "$WORK/admin" -H 'Content-Type: application/json' \
  -d '{"username":"admin","password":"bench-admin-pw"}' "http://127.0.0.1:$WEB_PORT/api/login" >/dev/null

# import: the CSV file as the admin; HTTP status, start and end to $WORK/import.txt.
import_csv() {
  local start
  start=$(date +%s.%N)
  local status
  status=$(curl -s -o "$WORK/report.json" -w '%{http_code}' -b "$WORK/admin" -H 'Content-Type: text/csv' \
    --max-time 1200 --data-binary @"$WORK/people.csv" "http://127.0.0.1:$WEB_PORT/api/import" || echo 000)
  echo "$status $start $(date +%s.%N)" > "$WORK/import.txt"
}

# report LABEL RUNDIR [FROM TO]: OPTIONS sent in [FROM, TO] (epoch s): answered, p50, p99, max, slowest send times.
report() {
  python3 - "$@" <<'PY'
import sys, time
sys.path.insert(0, "bench")
from sipp_rtt import SippRun, percentile, longest
label, run = sys.argv[1], sys.argv[2]
window = (float(sys.argv[3]), float(sys.argv[4])) if len(sys.argv) > 4 else ()
sipp = SippRun(run)
failed = "?" if sipp.failed is None else sipp.failed
sent = sipp.sent_within(*window)
times = sorted(t for t, _ in sent)
slow = sorted(sent, reverse=True)[:3]
slowest = ", ".join("%.0f ms at %s" % (t, time.strftime("%H:%M:%S", time.localtime(a)) + ("%.2f" % (a % 1))[1:]) for t, a in slow)
span = "%.1f s" % (window[1] - window[0]) if window else "whole run"
print(f"{label:<7} {span:>9}  answered {len(times):>5}  failed (whole run) {failed:>3}  p50 {percentile(times, 0.5):7.1f} ms  "
      f"p99 {percentile(times, 0.99):7.1f} ms  max {longest(times):7.1f} ms  slowest: {slowest}")
PY
}

(options_load "$WORK/warmup" "$WARMUP") || true # JIT warm-up, not reported
(options_load "$WORK/quiet" $((RATE * QUIET))) || true

# The same OPTIONS as the kernel saw them pass (root only): tells a stall of the server from one of SIPp.
if [ "$(id -u)" = 0 ]; then
  python3 bench/sip_wire.py "$SIP_PORT" "$WORK/wire.csv" 2> "$WORK/wire.log" &
  WIRE=$!
fi
(options_load "$WORK/stall" $((RATE * 1200))) &
PROBE=$!
sleep 2
echo "load before: $(uptime)"
FROM=$(date +%s.%N)
import_csv &
IMPORT=$!
login_flood "$WORK/flood.json" &
FLOODER=$!
sleep 1
PAUSED=$(date +%s.%N)
kill -STOP "$STORE"
sleep "$PAUSE"
kill -CONT "$STORE"
RESUMED=$(date +%s.%N)
wait "$FLOODER" || true
FLOODER=
wait "$IMPORT" || true
IMPORT=
TO=$(date +%s.%N)
echo "load after:  $(uptime)"
sleep 1
kill -USR1 "$PROBE" 2>/dev/null || true
wait "$PROBE" || true
PROBE=
if [ -n "$WIRE" ]; then
  kill "$WIRE" 2>/dev/null || true
  wait "$WIRE" || true
  WIRE=
fi

report quiet "$WORK/quiet"
report stall "$WORK/stall" "$FROM" "$TO"
report paused "$WORK/stall" "$PAUSED" "$(python3 -c "import sys; print(float(sys.argv[1]) + 1)" "$RESUMED")"
# wire LABEL FROM TO: the same window from the kernel's timestamps (sip_wire.py), when captured.
wire() {
  [ -s "$WORK/wire.csv" ] || return 0
  python3 - "$WORK/wire.csv" "$@" <<'PY'
import sys
sys.path.insert(0, "bench")
from sipp_rtt import percentile, longest
path, label, a, b = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
times = sorted(float(ms) for at, ms in (line.strip().split(",") for line in open(path)) if a <= float(at) <= b)
print(f"{label:<7} {b - a:7.1f} s  answered {len(times):>5}  on the wire (kernel times)        p50 {percentile(times, 0.5):7.1f} ms  "
      f"p99 {percentile(times, 0.99):7.1f} ms  max {longest(times):7.1f} ms")
PY
}
wire wire "$FROM" "$TO"
wire wire-p "$PAUSED" "$(python3 -c "import sys; print(float(sys.argv[1]) + 1)" "$RESUMED")"
python3 - "$WORK" "$ROWS" "$FROM" "$PAUSED" "$RESUMED" <<'PY'
import json, os, sys
work, rows, start, paused, resumed = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
status, a, b = open(work + "/import.txt").read().split()
try:
    r = json.load(open(work + "/report.json"))
except ValueError:
    r = {}
f = json.load(open(work + "/flood.json"))
print(f"store paused {paused - start:.1f} s after the start, for {resumed - paused:.1f} s ('paused' above: OPTIONS sent from the stop to 1 s after the continue)")
print(f"import: HTTP {status} in {float(b) - float(a):.1f} s for {rows} rows: imported {r.get('imported')}, users {r.get('users')}, "
      f"devices {r.get('devices')}, errors {len(r.get('errors', []))}")
print(f"logins: {' '.join('%s:%s' % kv for kv in f['statuses'].items())} in {f['end'] - f['start']:.1f} s")
PY
echo "server log (WARN and above): $(grep -c -E ' (WARN|ERROR) ' "$WORK/server.log" || true) lines; $WORK/server.log"
