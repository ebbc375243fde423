#!/usr/bin/env bash
# Three clustered nodes on loopback (the jar, processes of their own; B and C on A's store.serve-port):
#  1. MESSAGE latency: SIPp on A sends COUNT MESSAGEs at RATE/s to a phone registered on C (through C),
#     then as many to a phone registered on A itself (the single-node path), twice over (the first
#     pass warms up and is not reported); p50/p99 of the
#     authenticated MESSAGE's response time (to the phone's 200, relayed).
#  2. Cross-node presence latency: a watcher subscribed on C, ROUNDS PUBLISHes on A (cluster_presence.py):
#     from the PUBLISH's 200 to the NOTIFY with the new state on the wire.
#   RATE=20 COUNT=400 ROUNDS=200 bench/cluster-latency.sh
# Bounded: a timeout per run; every node and SIPp it starts is ended by pid.
set -euo pipefail
cd "$(dirname "$0")/.."
RATE=${RATE:-20}
COUNT=${COUNT:-400}
ROUNDS=${ROUNDS:-200}
BASE=${BASE:-16000}
SIP_A=$((BASE + 70)); SIP_B=$((BASE + 71)); SIP_C=$((BASE + 72))
WEB_PORT=$((BASE + 80)); WEB_B=$((BASE + 81)); WEB_C=$((BASE + 82))
STORE=$((BASE + 17)); HZ=$((BASE + 701))
PHONE_C=$((BASE + 90)); PHONE_A=$((BASE + 91))
. bench/lib.sh
prepare
WORK=$(mktemp -d)
echo "bench: work dir $WORK"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

SECRET=bench-cluster-secret-$$
STORE_URI="mongodb://switchboard:$SECRET@127.0.0.1:$STORE/?authSource=admin"
node() { # node NAME SIP WEB HZPORT [VAR=value ...]
  local name=$1 sip=$2 web=$3 hz=$4
  shift 4
  mkdir -p "$WORK/$name"
  env SWITCHBOARD_SIP_PORT="$sip" SWITCHBOARD_SIP_BIND_ADDRESS=127.0.0.1 SWITCHBOARD_SIP_ADVERTISED_ADDRESS=127.0.0.1 \
    SWITCHBOARD_SIP_DOMAIN=bench.test SWITCHBOARD_WEB_PORT="$web" SWITCHBOARD_WEB_BIND_ADDRESS=127.0.0.1 \
    SWITCHBOARD_PROVISIONING_PORT=0 SWITCHBOARD_PROVISIONING_BIND_ADDRESS=127.0.0.1 SWITCHBOARD_DATA_DIR="$WORK/$name/data" \
    SWITCHBOARD_ADMIN_PASSWORD=bench-admin-pw SWITCHBOARD_SIP_FLOOD_EXEMPT=127.0.0.0/8 SWITCHBOARD_PRESENCE_DEFAULT_RULE=allow \
    SWITCHBOARD_CLUSTER_ENABLED=true SWITCHBOARD_CLUSTER_PORT="$hz" SWITCHBOARD_CLUSTER_SECRET="$SECRET" \
    SWITCHBOARD_CLUSTER_MEMBERS="127.0.0.1:$HZ,127.0.0.1:$((HZ + 1)),127.0.0.1:$((HZ + 2))" "$@" \
    "$(server/java.sh)" ${JAVA_OPTS:-} -jar server/target/switchboard.jar > "$WORK/$name/node.log" 2>&1 &
  PIDS+=($!)
}
await_up() { # await_up WEB NAME
  for _ in $(seq 1 240); do curl -sf "http://127.0.0.1:$1/api/health" >/dev/null 2>&1 && return 0; sleep 0.5; done
  echo "bench: node $2 did not start" >&2; tail -50 "$WORK/$2/node.log" >&2; exit 1
}
node a $SIP_A $WEB_PORT $HZ SWITCHBOARD_STORE_SERVE_PORT=$STORE
await_up $WEB_PORT a
node b $SIP_B $WEB_B $((HZ + 1)) SWITCHBOARD_MONGO_URI=$STORE_URI
node c $SIP_C $WEB_C $((HZ + 2)) SWITCHBOARD_MONGO_URI=$STORE_URI
await_up $WEB_B b
await_up $WEB_C c
create_users "$WORK" alice:1001 bob:1002 carol:1003 dave:1004

register() { # register SIPPORT USER PHONEPORT
  sipp 127.0.0.1:$1 -sf $SCENARIOS/register-device.xml -i 127.0.0.1 -m 1 -nostdin -timeout 20s -timeout_error \
    -au "$2" -ap "$2-sip-pw" -auth_uri bench.test -key domain bench.test -key aor "$2" -key contact "$2-bench" \
    -key device "127.0.0.1:$3" -key accept text/plain > /dev/null 2>&1
}

printf "%-22s %-8s %-8s %-10s %-10s\n" path sent ok p50_ms p99_ms
# Each path twice, alternating; the first pass warms the JIT on every node and is not reported.
PASS=0
for target in bob:$PHONE_C:$SIP_C:"A->C" dave:$PHONE_A:$SIP_A:"A->A" bob:$PHONE_C:$SIP_C:"A->C" dave:$PHONE_A:$SIP_A:"A->A"; do
  PASS=$((PASS + 1))
  IFS=: read -r to phone regport label <<< "$target"
  (cd "$WORK" && exec timeout 600 sipp -sf "$OLDPWD/$SCENARIOS/receive-message.xml" -i 127.0.0.1 -p "$phone" \
      -m "$COUNT" -nostdin > /dev/null 2>&1) &
  PIDS+=($!)
  register "$regport" "$to" "$phone"
  RUN="$WORK/run-$PASS-$to"
  mkdir -p "$RUN"
  (cd "$RUN" && timeout 600 sipp 127.0.0.1:$SIP_A -sf "$OLDPWD/bench/message-load.xml" -i 127.0.0.1 \
      -r "$RATE" -m "$COUNT" -l $((RATE * 10)) -nostdin -timeout 300s \
      -au alice -ap alice-sip-pw -auth_uri "$to@bench.test" -key domain bench.test -key from alice -key to "$to" \
      -trace_rtt -rtt_freq 1 -trace_stat -fd 1 > sender.out 2>&1) || true
  [ "$PASS" -le 2 ] && continue
  python3 - "$RUN" "$label" <<'PY'
import sys
sys.path.insert(0, "bench")
from sipp_rtt import SippRun
run = SippRun(sys.argv[1], "message-load")
t = sorted(ms for ms, _ in run.answers)
pct = lambda q: t[min(len(t) - 1, int(q * len(t)))] if t else float("nan")
print(f"{'MESSAGE ' + sys.argv[2]:<22} {(run.succeeded or 0) + (run.failed or 0):<8} {run.succeeded or 0:<8} {pct(0.5):<10.2f} {pct(0.99):<10.2f}")
PY
done

echo "presence: watcher carol on C, alice publishes on A, $ROUNDS rounds"
timeout 1200 python3 bench/cluster_presence.py $SIP_C $SIP_A bench.test carol carol-sip-pw alice alice-sip-pw "$ROUNDS" \
  "$WORK/presence.json"
