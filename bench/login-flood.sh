#!/usr/bin/env bash
# SIP response times during a web login flood, on loopback only. SIPp sends OPTIONS at a steady
# RATE for DURATION seconds, once quietly and once while FLOOD wrong logins for `admin` arrive at
# the web console at the same moment (one address, one account). Prints p50/p99/max of the OPTIONS
# answers (in the flood run: those sent between the first login and the last answer), the login
# answers (401 = checked, 429 = throttled before hashing, 503 = hashing queue full) and how many
# password checks ran (LOGIN_FAILED lines in the security log). Bounded: DURATION*RATE OPTIONS and
# FLOOD logins per run, a timeout on every client, the server it starts is stopped by pid.
#   RATE=100 DURATION=15 FLOOD=100 MAX_FAILURES="5 1000" bench/login-flood.sh
# MAX_FAILURES lists the web.login.max-failures of each flood run (1000: throttle out of the way,
# so that only the hashing pool's bound keeps hashing away from SIP).
set -euo pipefail
cd "$(dirname "$0")/.."
RATE=${RATE:-100}
DURATION=${DURATION:-15}
FLOOD=${FLOOD:-100}
MAX_FAILURES=${MAX_FAILURES:-5}
WARMUP=${WARMUP:-3000}
SIP_PORT=${SIP_PORT:-15170}
WEB_PORT=${WEB_PORT:-18180}
. bench/lib.sh

prepare
WORK=$(mktemp -d)
echo "bench: work dir $WORK; OPTIONS at $RATE/s for $DURATION s per run; $FLOOD logins at once"
PROBE=
cleanup() {
  [ -n "$PROBE" ] && kill "$PROBE" 2>/dev/null || true
  stop_server
}
trap cleanup EXIT

# report LABEL RUNDIR [FROM TO]: percentiles of the OPTIONS answers (only those sent in [FROM, TO] epoch s).
report() {
  python3 - "$@" <<'PY'
import json, os, sys
sys.path.insert(0, "bench")
from sipp_rtt import SippRun, percentile, longest
label, run = sys.argv[1], sys.argv[2]
window = (float(sys.argv[3]), float(sys.argv[4])) if len(sys.argv) > 4 else ()
sipp = SippRun(run)
times = sorted(took for took, _ in sipp.sent_within(*window))
flood = json.load(open(run + "/flood.json")) if os.path.exists(run + "/flood.json") else None
logins = " ".join("%s:%s" % kv for kv in flood["statuses"].items()) if flood else "-"
lasted = "%.1f" % (flood["end"] - flood["start"]) if flood else "-"
checks = sum(1 for l in open(run + "/server.log") if "LOGIN_FAILED" in l) if os.path.exists(run + "/server.log") else 0
print(f"{label:<18} {sipp.succeeded or 0:<6} {sipp.failed or 0:<6} {len(times):<8} {percentile(times, 0.50):<8.2f} "
      f"{percentile(times, 0.99):<8.2f} {longest(times):<9.2f} {lasted:<8} {checks:<7} {logins}")
PY
}

header() {
  printf "%-18s %-6s %-6s %-8s %-8s %-8s %-9s %-8s %-7s %s\n" run ok failed in_win p50_ms p99_ms max_ms flood_s checks logins
}

header
for MF in $MAX_FAILURES; do
  RUN_DIR="$WORK/max-failures-$MF"
  mkdir -p "$RUN_DIR"
  start_server "$RUN_DIR" SWITCHBOARD_LOG_LEVEL="${LOG_LEVEL:-warn}" SWITCHBOARD_WEB_LOGIN_MAX_FAILURES="$MF"
  (options_load "$RUN_DIR/warmup" "$WARMUP") || true # JIT warm-up, not reported
  (options_load "$RUN_DIR/quiet" $((RATE * DURATION))) || true
  report "quiet" "$RUN_DIR/quiet"
  # The probe runs from before the flood until after its last answer, then stops gracefully.
  (options_load "$RUN_DIR/flood" $((RATE * 1200))) &
  PROBE=$!
  sleep 2
  login_flood "$RUN_DIR/flood/flood.json"
  sleep 1
  kill -USR1 "$PROBE" 2>/dev/null || true
  wait "$PROBE" || true
  PROBE=
  cp "$RUN_DIR/server.log" "$RUN_DIR/flood/server.log"
  read -r FROM TO < <(python3 -c 'import json,sys; f=json.load(open(sys.argv[1])); print(f["start"], f["end"])' "$RUN_DIR/flood/flood.json")
  report "flood mf=$MF" "$RUN_DIR/flood" "$FROM" "$TO"
  stop_server
done
