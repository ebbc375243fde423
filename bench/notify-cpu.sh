#!/usr/bin/env bash
# CPU per NOTIFY, on loopback only: N watchers (one SIPp process subscribing, bench/sipp/notify_uas.xml
# answering) watch bob; bob's state set by hand changes CHANGES times through the API, one after the
# other without waiting for the fan-out (after as many changes as a JIT warm-up). Reports the NOTIFYs sent (the server's own counter) and the
# server's CPU time per NOTIFY, in all and per thread kind (each Vert.x event loop on its own), from
# /proc: a figure that the machine's other load barely moves, unlike rates and latencies.
#   WATCHERS=500 CHANGES=40 bench/notify-cpu.sh
# Bounded: a timeout per SIPp process; the server and SIPp are stopped by pid.
set -euo pipefail
cd "$(dirname "$0")/.."
WATCHERS=${WATCHERS:-500}
CHANGES=${CHANGES:-40}
SIP_PORT=${SIP_PORT:-15370}
WEB_PORT=${WEB_PORT:-18380}
NOTIFY_PORT=$((SIP_PORT + 40))
. bench/lib.sh
prepare

WORK=$(mktemp -d)
stop_all() {
  stop_server
  [ -n "${UAS:-}" ] && kill "$UAS" 2>/dev/null || true
}
trap stop_all EXIT
start_server "$WORK" SWITCHBOARD_SIP_DOMAIN=uc.test SWITCHBOARD_PRESENCE_DEFAULT_RULE=allow \
  SWITCHBOARD_PROVISIONING_PORT=0
create_users "$WORK" alice:1001 bob:1002
sipp 127.0.0.1:$SIP_PORT -sf $SCENARIOS/register.xml -i 127.0.0.1 -p $((SIP_PORT + 30)) -m 1 -nostdin -timeout 20s \
  -timeout_error -au bob -ap bob-sip-pw -auth_uri uc.test -key domain uc.test -key aor bob -key contact bob-desk \
  -key expires 3600 > /dev/null 2>&1
(cd "$WORK" && exec sipp -sf "$OLDPWD/bench/sipp/notify_uas.xml" -i 127.0.0.1 -p $NOTIFY_PORT -nostdin -trace_logs \
  -buff_size 4194304 -timeout 600s > "$WORK/uas.out" 2>&1) &
UAS=$!
echo SEQUENTIAL > "$WORK/watchers.csv"
for i in $(seq 1 "$WATCHERS"); do
  echo "alice;bob;127.0.0.1:$NOTIFY_PORT;[authentication username=alice password=alice-sip-pw]" >> "$WORK/watchers.csv"
done
(cd "$WORK" && exec timeout 240 sipp 127.0.0.1:$SIP_PORT -sf "$OLDPWD/bench/sipp/subscribe_uac_auth.xml" \
  -i 127.0.0.1 -p $((SIP_PORT + 20)) -nostdin -inf watchers.csv -m "$WATCHERS" -l "$WATCHERS" -r 200 \
  -auth_uri bob@uc.test -buff_size 4194304 -timeout 180s > "$WORK/subscribe.out" 2>&1) || true
for _ in $(seq 1 240); do
  ACTIVE=$(curl -sf "http://127.0.0.1:$WEB_PORT/api/health" | python3 -c 'import json,sys; print(json.load(sys.stdin)["components"].get("presence",{}).get("subscriptions",0))')
  [ "$ACTIVE" -ge "$WATCHERS" ] && break
  sleep 0.5
done
curl -sf -c "$WORK/bob" -H 'Content-Type: application/json' \
  -d '{"username":"bob","password":"bob-web-pw"}' "http://127.0.0.1:$WEB_PORT/api/login" >/dev/null
sent() { curl -sf -b "$WORK/admin" "http://127.0.0.1:$WEB_PORT/metrics" | awk '/^switchboard_notify_sent_total/ {print int($2)}'; }
cpu() { python3 - "$SERVER" <<'PY'
import os, sys, json
pid, out = sys.argv[1], {}
for tid in os.listdir(f"/proc/{pid}/task"):
    try:
        name = open(f"/proc/{pid}/task/{tid}/comm").read().strip()
        f = open(f"/proc/{pid}/task/{tid}/stat").read().rsplit(")", 1)[1].split()
    except OSError:
        continue
    out[tid + " " + name] = (int(f[11]) + int(f[12])) * 1000 // os.sysconf("SC_CLK_TCK")
print(json.dumps(out))
PY
}
# The CPU time (ms) of the SIPp process that plays the watchers: the harness's share per NOTIFY.
uas_cpu() { awk -v tck="$(getconf CLK_TCK)" '{ split($0, a, ") "); split(a[2], f, " "); print int((f[12] + f[13]) * 1000 / tck) }' "/proc/$UAS/stat"; }
# Changes 1..CHANGES, one after the other; then waits (bounded) until the last reached every watcher.
changes() {
  for i in $(seq "$1" "$2"); do
    STATE=$([ $((i % 2)) -eq 0 ] && echo away || echo busy)
    curl -sf -b "$WORK/bob" -X PUT -H 'Content-Type: application/json' -d "{\"state\":\"$STATE\",\"note\":\"TS $i 0\"}" \
      "http://127.0.0.1:$WEB_PORT/api/presence/me" > /dev/null
  done
  for _ in $(seq 1 120); do
    [ "$(cat "$WORK"/notify_uas_*_logs.log 2>/dev/null | grep -c " TS $2 0 " || true)" -ge "$WATCHERS" ] && break
    sleep 0.5
  done
}
changes 1 "$CHANGES"   # JIT warm-up, not counted
BEFORE_SENT=$(sent)
cpu > "$WORK/cpu-before.json"
UAS_BEFORE=$(uas_cpu)
changes $((CHANGES + 1)) $((2 * CHANGES))
cpu > "$WORK/cpu-after.json"
UAS_AFTER=$(uas_cpu)
AFTER_SENT=$(sent)
python3 - "$WORK/cpu-before.json" "$WORK/cpu-after.json" "$((AFTER_SENT - BEFORE_SENT))" "$WATCHERS" "$CHANGES" \
  "$((UAS_AFTER - UAS_BEFORE))" <<'PY'
import json, re, sys, collections
before, after, sent = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), int(sys.argv[3])
kinds = collections.Counter()
for k, ms in after.items():
    tid, name = k.split(" ", 1)
    kind = "event loop (tid " + tid + ")" if name.startswith("vert.x-eventloo") else re.sub(r"[-_]?\d+$", "", name)
    kinds[kind] += ms - before.get(k, 0)
total = sum(kinds.values())
print(f"watchers {sys.argv[4]}, changes {sys.argv[5]}: {sent} NOTIFYs sent, server CPU {total} ms, "
      f"{1000.0 * total / max(1, sent):.0f} us per NOTIFY")
for kind, ms in kinds.most_common(10):
    if ms > 0:
        print(f"  {kind:<28} {ms:>7} ms  {1000.0 * ms / max(1, sent):>6.0f} us/NOTIFY")
uas = int(sys.argv[6])
print(f"  (harness: the watchers' SIPp {uas} ms, {1000.0 * uas / max(1, sent):.0f} us/NOTIFY; not in the server's figure)")
PY
