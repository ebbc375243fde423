#!/usr/bin/env bash
# A CSV import at office scale through the API, on loopback only: ROWS users (every other one with a
# web password, the rest left to set theirs through a link; each with a SIP password and a Yealink desk
# phone) posted to /api/import as the admin. Prints the import's wall time (curl's, from the request to
# the answer), its report's counts, the load average before and after, and SIP OPTIONS answer times
# (SIPp at RATE/s) while the import runs, against a quiet run just before. Bounded: one import, the
# probe stops itself (SIGUSR1, or after 20 min), the server it starts is stopped by pid.
#   ROWS=5000 RATE=50 PASSWORD_EVERY=2 bench/import-5000.sh
# PASSWORD_EVERY=n gives every n-th user a web password (2: half, 1: all, 0: none).
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${ROWS:-5000}
RATE=${RATE:-50}
PASSWORD_EVERY=${PASSWORD_EVERY:-2}
QUIET=${QUIET:-10}
SIP_PORT=${SIP_PORT:-15270}
WEB_PORT=${WEB_PORT:-18280}
PROVISIONING_PORT=${PROVISIONING_PORT:-18281}
. bench/lib.sh

prepare
WORK=$(mktemp -d)
echo "bench: work dir $WORK; $ROWS rows, a web password every ${PASSWORD_EVERY} (0: none), OPTIONS probe at $RATE/s; $(nproc) cores"
PROBE=
cleanup() {
  [ -n "$PROBE" ] && kill "$PROBE" 2>/dev/null || true
  stop_server
}
trap cleanup EXIT

people_csv "$ROWS" "$PASSWORD_EVERY" > "$WORK/people.csv"

# percentiles LABEL RUNDIR: p50/p99/max of every OPTIONS answer in the run, and how many failed.
percentiles() {
  python3 - "$@" <<'PY'
import sys
sys.path.insert(0, "bench")
from sipp_rtt import SippRun, percentile, longest
label, run = sys.argv[1], sys.argv[2]
sipp = SippRun(run)
times = sorted(took for took, _ in sipp.answers)
failed = "?" if sipp.failed is None else sipp.failed
print(f"{label:<8} OPTIONS answered {len(times)}, failed {failed}, p50 {percentile(times, 0.5):.1f} ms, "
      f"p99 {percentile(times, 0.99):.1f} ms, max {longest(times):.1f} ms")
PY
}

start_server "$WORK" SWITCHBOARD_LOG_LEVEL="${LOG_LEVEL:-warn}" SWITCHBOARD_PROVISIONING_PORT="$PROVISIONING_PORT"
curl -sf -c "$WORK/admin" -H 'Content-Type: application/json' \
  -d '{"username":"admin","password":"bench-admin-pw"}' "http://127.0.0.1:$WEB_PORT/api/login" >/dev/null
(options_load "$WORK/warmup" 1000) || true # JIT warm-up, not reported
(options_load "$WORK/quiet" $((RATE * QUIET))) || true
percentiles quiet "$WORK/quiet"

(options_load "$WORK/import" $((RATE * 1200))) &
PROBE=$!
sleep 2
echo "load before: $(uptime)"
TOOK=$(curl -s -o "$WORK/report.json" -w '%{http_code} %{time_total}' -b "$WORK/admin" -H 'Content-Type: text/csv' \
  --max-time 1200 --data-binary @"$WORK/people.csv" "http://127.0.0.1:$WEB_PORT/api/import")
echo "load after:  $(uptime)"
kill -USR1 "$PROBE" 2>/dev/null || true
wait "$PROBE" || true
PROBE=
percentiles import "$WORK/import"
python3 - "$WORK/report.json" "$ROWS" "$TOOK" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
status, took = sys.argv[3].split()
print(f"import: HTTP {status} in {float(took):.1f} s for {sys.argv[2]} rows: imported {r.get('imported')}, "
      f"users {r.get('users')}, devices {r.get('devices')}, without a web password {len(r.get('withoutPassword', []))}, "
      f"errors {len(r.get('errors', []))}")
PY
# A user from the file logs in with the password it gave.
[ "$PASSWORD_EVERY" = 0 ] || curl -s -o /dev/null -w 'login of u00000 with its imported password: HTTP %{http_code}\n' -H 'Content-Type: application/json' \
  -d '{"username":"u00000","password":"web-pw-00000"}' "http://127.0.0.1:$WEB_PORT/api/login"
