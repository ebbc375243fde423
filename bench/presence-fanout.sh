#!/usr/bin/env bash
# Presence fan-out, on loopback only: N SIP watchers (one SIPp process, N subscriptions) watch bob;
# bob's state changes once through the API; the script reports how long until the last watcher had
# the new state on the wire (SIPp's own receive timestamps), and the median.
#   WATCHERS="1000 10000" bench/presence-fanout.sh
# Bounded: N subscriptions per run, a timeout per run; the server it starts is stopped by pid.
set -euo pipefail
cd "$(dirname "$0")/.."
WATCHERS=${WATCHERS:-"1000 10000"}
RATE=${RATE:-200}
SIP_PORT=${SIP_PORT:-15170}
WEB_PORT=${WEB_PORT:-18180}
. bench/lib.sh
prepare

printf "%-10s %-14s %-14s %-14s\n" watchers subscribe_s p50_ms last_ms   # watchers: subscriptions that took
for N in $WATCHERS; do
  WORK=$(mktemp -d)
  start_server "$WORK" SWITCHBOARD_PRESENCE_DEFAULT_RULE=allow SWITCHBOARD_LOG_LEVEL=info
  trap stop_server EXIT
  create_users "$WORK" alice:1001 bob:1002
  # bob must be reachable for a state he sets to show: his desk phone registers first.
  sipp 127.0.0.1:$SIP_PORT -sf $SCENARIOS/register.xml -i 127.0.0.1 -p $((SIP_PORT + 30)) -m 1 -nostdin -timeout 20s \
    -timeout_error -au bob -ap bob-sip-pw -auth_uri bench.test -key domain bench.test -key aor bob -key contact bob-desk -key expires 3600 \
    > /dev/null 2>&1
  curl -sf -c "$WORK/bob" -H 'Content-Type: application/json' \
    -d '{"username":"bob","password":"bob-web-pw"}' "http://127.0.0.1:$WEB_PORT/api/login" >/dev/null

  START=$(date +%s.%N)
  (cd "$WORK" && exec timeout 300 sipp 127.0.0.1:$SIP_PORT -sf "$OLDPWD/$SCENARIOS/watch-2-then-unsubscribe.xml" \
      -i 127.0.0.1 -p $((SIP_PORT + 20)) -m "$N" -l "$N" -r "$RATE" -nostdin -timeout 240s -max_socket 65000 -buff_size 4194304 \
      -au alice -ap alice-sip-pw -auth_uri bob@bench.test -key domain bench.test -key from alice -key to bob -key expires 3600 \
      -key event presence -key accept application/pidf+xml -trace_msg -message_file "$WORK/watchers.log" \
      > "$WORK/sipp.out" 2>&1) &
  SIPP=$!
  # Wait (bounded) until every subscription is active, as health reports it, or until the count
  # has not grown for 10 s (a few SUBSCRIBEs can fail under load; the report says how many took).
  LAST=-1
  STILL=0
  for _ in $(seq 1 600); do
    ACTIVE=$(curl -sf "http://127.0.0.1:$WEB_PORT/api/health" | python3 -c 'import json,sys; print(json.load(sys.stdin)["components"].get("presence",{}).get("subscriptions",0))')
    [ "${BENCH_DEBUG:-}" ] && echo "active: $ACTIVE" >&2
    [ "$ACTIVE" -ge "$N" ] && break
    if [ "$ACTIVE" -eq "$LAST" ]; then STILL=$((STILL + 1)); else STILL=0; LAST=$ACTIVE; fi
    [ "$STILL" -ge 20 ] && break
    sleep 0.5
  done
  READY=$(date +%s.%N)
  CHANGE=$(date +%s.%N)
  curl -sf -b "$WORK/bob" -X PUT -H 'Content-Type: application/json' -d '{"state":"away","note":"bench"}' \
    "http://127.0.0.1:$WEB_PORT/api/presence/me" >/dev/null
  wait $SIPP || true   # each watcher ends after the second NOTIFY; failed ones by SIPp's timeout
  python3 - "$WORK/watchers.log" "$START" "$READY" "$CHANGE" "$ACTIVE" <<'PY'
import re, sys, datetime
log, start, ready, change, n = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
text = open(log, errors="replace").read()
times = []
for block in re.split(r"\n(?=-{20,} )", text):
    head = block.split("\n", 1)[0]
    if "message received" in block and "NOTIFY sip:" in block and "<rpid:away/>" in block:
        stamp = head.strip("- ").strip()
        t = datetime.datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S.%f").timestamp()
        times.append((t - change) * 1000)
times.sort()
if len(times) < n:
    print(f"{n:<10} only {len(times)} watchers saw the change")
else:
    print(f"{n:<10} {ready - start:<14.1f} {times[len(times)//2]:<14.1f} {times[-1]:<14.1f}")
PY
  stop_server
  trap - EXIT
done
