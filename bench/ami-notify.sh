#!/usr/bin/env bash
# Call state to presence, on loopback only: a test-side Asterisk (bench/ami_feeder.py, replaying the
# recorded answered call) starts CALLS simultaneous calls between 2×CALLS users, each user watched by
# one SIP subscription (one SIPp process). Reports, from the AMI event leaving the test-side Asterisk
# to the NOTIFY saying on-the-phone arriving at the watcher (SIPp's own receive timestamps):
#   caller: Newchannel (dialling) → on-the-phone;  callee: answer (Newstate Up) → on-the-phone.
#   CALLS="100 500" bench/ami-notify.sh
# Bounded: a timeout per run; the server and the feeder it starts are stopped by pid.
set -euo pipefail
cd "$(dirname "$0")/.."
CALLS=${CALLS:-"100 500"}
RATE=${RATE:-200}
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
  start_server "$WORK" SWITCHBOARD_PRESENCE_DEFAULT_RULE=allow SWITCHBOARD_AMI_HOST=127.0.0.1 \
    SWITCHBOARD_AMI_PORT="$AMI_PORT" SWITCHBOARD_AMI_USERNAME=uc SWITCHBOARD_AMI_SECRET=ucsecret
  USERS=(alice:1001)
  echo SEQUENTIAL > "$WORK/watched.csv"
  for i in $(seq 0 $((2 * N - 1))); do
    USERS+=("u$((FIRST + i)):$((FIRST + i))")
    echo "u$((FIRST + i));" >> "$WORK/watched.csv"
  done
  create_users "$WORK" "${USERS[@]}"

  W=$((2 * N))
  (cd "$WORK" && exec timeout 300 sipp 127.0.0.1:$SIP_PORT -sf "$OLDPWD/bench/sipp/watch-until-on-the-phone.xml" \
      -inf "$WORK/watched.csv" -i 127.0.0.1 -p $((SIP_PORT + 20)) -m "$W" -l "$W" -r "$RATE" -nostdin -timeout 240s \
      -max_socket 65000 -buff_size 4194304 -au alice -ap alice-sip-pw -key domain bench.test -key from alice \
      -key expires 3600 -key event presence -key accept application/pidf+xml \
      -trace_msg -message_file "$WORK/watchers.log" > "$WORK/sipp.out" 2>&1) &
  SIPP=$!
  for _ in $(seq 1 600); do
    HEALTH=$(curl -sf "http://127.0.0.1:$WEB_PORT/api/health")
    ACTIVE=$(echo "$HEALTH" | python3 -c 'import json,sys; print(json.load(sys.stdin)["components"].get("presence",{}).get("subscriptions",0))')
    AMI=$(echo "$HEALTH" | python3 -c 'import json,sys; print(json.load(sys.stdin)["components"]["ami"]["state"])')
    [ "$ACTIVE" -ge "$W" ] && [ "$AMI" = up ] && break
    sleep 0.5
  done
  if ! kill -0 $SIPP 2>/dev/null; then
    echo "bench: the SIPp watchers ended early:" >&2
    tail -5 "$WORK/sipp.out" >&2
    exit 1
  fi
  touch "$WORK/go"
  wait $SIPP || true
  wait $FEEDER || true
  python3 - "$WORK/watchers.log" "$WORK/times.json" "$N" <<'PY'
import datetime, json, re, sys
log, times_file, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
times = json.load(open(times_file))
seen = {}
for block in re.split(r"\n(?=-{20,} )", open(log, errors="replace").read()):
    if "message received" in block and "NOTIFY sip:" in block and "<dm:note>On the phone" in block:
        stamp = block.split("\n", 1)[0].strip("- ").strip()
        t = datetime.datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S.%f").timestamp()
        ext = re.search(r'entity="(?:sip|pres):u(\d+)@', block).group(1)
        seen.setdefault(ext, t)
def pct(role):
    lat = sorted((seen[ext] - sent) * 1000 for ext, sent in times[role].items() if ext in seen)
    missing = len(times[role]) - len(lat)
    text = f"{lat[len(lat) // 2]:.0f} / {lat[min(len(lat) - 1, int(len(lat) * 0.99))]:.0f}" if lat else "-"
    return text + (f" ({missing} missing)" if missing else "")
print(f"{n:<7} {2 * n:<10} {pct('setup'):<22} {pct('answer'):<22}")
PY
  stop_all
  trap - EXIT
done
