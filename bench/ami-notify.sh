#!/usr/bin/env bash
# Call state to presence, on loopback only: a test-side Asterisk (bench/ami_feeder.py, replaying the
# recorded answered call) starts CALLS simultaneous calls between 2×CALLS users, each user watched by
# one SIP subscription (bench/sip_watchers.py: one socket, a digest per Request-URI). Reports, from the AMI event leaving the test-side Asterisk
# to the NOTIFY saying on-the-phone arriving at the watcher (the watcher's receive time):
#   caller: Newchannel (dialling) → on-the-phone;  callee: answer (Newstate Up) → on-the-phone.
#   CALLS="100 500" bench/ami-notify.sh
#   EVENTS_PER_SECOND=200 CALLS=500 bench/ami-notify.sh   # paced: 200 call events a second, not bursts
# Bounded: a timeout per run; the server and the feeder it starts are stopped by pid.
set -euo pipefail
cd "$(dirname "$0")/.."
CALLS=${CALLS:-"100 500"}
export EVENTS_PER_SECOND=${EVENTS_PER_SECOND:-0}
FIRST=${FIRST:-20000}
SIP_PORT=${SIP_PORT:-15270}
WEB_PORT=${WEB_PORT:-18280}
AMI_PORT=${AMI_PORT:-15038}
. bench/lib.sh
prepare

stop_all() {
  stop_server
  kill "${FEEDER:-}" 2>/dev/null || true
}

printf "%-7s %-10s %-22s %-22s\n" calls watchers "caller p50/p99 ms" "callee p50/p99 ms"
for N in $CALLS; do
  WORK=$(mktemp -d)
  python3 bench/ami_feeder.py "$AMI_PORT" "$N" "$FIRST" "$WORK/go" "$WORK/times.json" > "$WORK/feeder.log" 2>&1 &
  FEEDER=$!
  trap stop_all EXIT
  start_server "$WORK" SWITCHBOARD_PRESENCE_DEFAULT_RULE=allow SWITCHBOARD_PROVISIONING_PORT=0 SWITCHBOARD_AMI_HOST=127.0.0.1 \
    SWITCHBOARD_AMI_PORT="$AMI_PORT" SWITCHBOARD_AMI_USERNAME=uc SWITCHBOARD_AMI_SECRET=ucsecret
  # alice (the watcher) through the users API; the 2×N watched users in one CSV import without web
  # passwords (one store batch, no password hashing: creating 1,001 users one by one through the API
  # hashed 1,001 web passwords and did not finish in 10 minutes on a loaded machine).
  create_users "$WORK" alice:1001
  echo SEQUENTIAL > "$WORK/watched.csv"
  echo "username,extension,sipPassword" > "$WORK/people.csv"
  for i in $(seq 0 $((2 * N - 1))); do
    echo "u$((FIRST + i));" >> "$WORK/watched.csv"
    echo "u$((FIRST + i)),$((FIRST + i)),sip-pw-$((FIRST + i))" >> "$WORK/people.csv"
  done
  IMPORTED=$(curl -sf -b "$WORK/admin" -H 'Content-Type: text/csv' --data-binary @"$WORK/people.csv" \
    --max-time 600 "http://127.0.0.1:$WEB_PORT/api/import")
  echo "$IMPORTED" | python3 -c 'import json,sys; r=json.load(sys.stdin); sys.exit(0 if r["users"] == '"$((2 * N))"' else 1)' \
    || { echo "bench: the import did not create the users: $IMPORTED" >&2; exit 1; }

  W=$((2 * N))
  sed 1d "$WORK/watched.csv" | tr -d ';' > "$WORK/watched.txt"
  timeout 330 python3 bench/sip_watchers.py "$SIP_PORT" bench.test alice alice-sip-pw "$WORK/watched.txt" \
      "$WORK/seen.json" "$WORK/subscribed" 300 > "$WORK/watchers.out" 2>&1 &
  WATCHERS=$!
  for _ in $(seq 1 600); do
    AMI=$(curl -sf "http://127.0.0.1:$WEB_PORT/api/health" | python3 -c 'import json,sys; print(json.load(sys.stdin)["components"]["ami"]["state"])')
    [ -f "$WORK/subscribed" ] && [ "$AMI" = up ] && break
    kill -0 $WATCHERS 2>/dev/null || break
    sleep 0.5
  done
  if [ ! -f "$WORK/subscribed" ]; then
    echo "bench: the watchers did not all get subscribed:" >&2
    kill $WATCHERS 2>/dev/null || true
    cat "$WORK/watchers.out" >&2
    exit 1
  fi
  touch "$WORK/go"
  wait $WATCHERS || true
  wait $FEEDER || true
  python3 - "$WORK/seen.json" "$WORK/times.json" "$N" <<'PY'
import json, sys
seen_file, times_file, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
seen, times = json.load(open(seen_file)), json.load(open(times_file))
def pct(role):
    lat = sorted((seen["u" + ext] - sent) * 1000 for ext, sent in times[role].items() if "u" + ext in seen)
    missing = len(times[role]) - len(lat)
    text = f"{lat[len(lat) // 2]:.0f} / {lat[min(len(lat) - 1, int(len(lat) * 0.99))]:.0f}" if lat else "-"
    return text + (f" ({missing} missing)" if missing else "")
print(f"{n:<7} {2 * n:<10} {pct('setup'):<22} {pct('answer'):<22}")
PY
  stop_all
  trap - EXIT
done
