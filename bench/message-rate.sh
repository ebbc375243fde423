#!/usr/bin/env bash
# Sustained SIP MESSAGE rate through Switchboard, on loopback only:
#   SIPp sender (alice, digest auth) -> Switchboard -> SIPp phone (bob, answers 200).
# For each target rate it sends COUNT messages and prints the achieved rate, the failure share and
# the p50/p99 response time of the authenticated MESSAGE. Bounded: COUNT messages per rate, a
# timeout per run, and the server it starts is stopped by pid at the end.
#   RATES="100 200 400" COUNT=3000 bench/message-rate.sh
set -euo pipefail
cd "$(dirname "$0")/.."
RATES=${RATES:-"100 150 200 300"}
# The first run warms the JIT (2 cores: the compilers compete with the server) and is not reported.
WARMUP=${WARMUP:-3000}
COUNT=${COUNT:-3000}
SIP_PORT=${SIP_PORT:-15070}
WEB_PORT=${WEB_PORT:-18080}
DEVICE_PORT=${DEVICE_PORT:-15090}
. bench/lib.sh

prepare
WORK=$(mktemp -d)
echo "bench: work dir $WORK"
start_server "$WORK" SWITCHBOARD_LOG_LEVEL="${LOG_LEVEL:-warn}"
DEVICE=
cleanup() {
  [ -n "$DEVICE" ] && kill "$DEVICE" 2>/dev/null || true
  stop_server
}
trap cleanup EXIT
create_users "$WORK" alice:1001 bob:1002

printf "%-8s %-10s %-10s %-10s %-10s %-10s\n" target sent achieved failed% p50_ms p99_ms
for RATE in warmup $RATES; do
  N=$COUNT
  REPORT=yes
  if [ "$RATE" = warmup ]; then RATE=100; N=$WARMUP; REPORT=; fi
  (cd "$WORK" && exec timeout 300 sipp -sf "$OLDPWD/$SCENARIOS/receive-message.xml" -i 127.0.0.1 -p $DEVICE_PORT \
      -m "$N" -nostdin -bg > /dev/null 2>&1) || true
  DEVICE=$(pgrep -n -f "sipp -sf .*receive-message.xml -i 127.0.0.1 -p $DEVICE_PORT" || true)
  sipp 127.0.0.1:$SIP_PORT -sf $SCENARIOS/register-device.xml -i 127.0.0.1 -m 1 -nostdin -timeout 20s -timeout_error \
    -au bob -ap bob-sip-pw -auth_uri bench.test -key domain bench.test -key aor bob -key contact bob-bench \
    -key device 127.0.0.1:$DEVICE_PORT -key accept text/plain > /dev/null 2>&1
  rm -f "$WORK"/message-load_*
  START=$(date +%s.%N)
  (cd "$WORK" && timeout 600 sipp 127.0.0.1:$SIP_PORT -sf "$OLDPWD/bench/message-load.xml" -i 127.0.0.1 \
      -r "$RATE" -m "$N" -l $((RATE * 10)) -nostdin -timeout 300s \
      -au alice -ap alice-sip-pw -auth_uri bob@bench.test -key domain bench.test -key from alice -key to bob \
      -trace_rtt -rtt_freq 1 -trace_stat -fd 1 > sender.out 2>&1) || true
  END=$(date +%s.%N)
  if [ -z "$REPORT" ]; then
    [ -n "$DEVICE" ] && kill "$DEVICE" 2>/dev/null || true
    DEVICE=
    continue
  fi
  python3 - "$WORK" "$RATE" "$COUNT" "$START" "$END" <<'PY'
import csv, glob, sys
work, rate, count, start, end = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
stat = sorted(glob.glob(work + "/message-load_*_.csv"))
rows = list(csv.reader(open(stat[-1]), delimiter=";")) if stat else []
head, last = (rows[0], rows[-1]) if len(rows) > 1 else ([], [])
def col(name):
    return int(last[head.index(name)]) if name in head else 0
ok, failed = col("SuccessfulCall(C)"), col("FailedCall(C)")
times = []
for f in glob.glob(work + "/message-load_*_rtt.csv"):
    for r in csv.reader(open(f), delimiter=";"):
        try:
            times.append(float(r[1]))
        except (ValueError, IndexError):
            pass
times.sort()
pct = lambda p: times[min(len(times) - 1, int(p * len(times)))] if times else float("nan")
elapsed = end - start
print(f"{rate:<8} {ok + failed:<10} {ok / elapsed:<10.1f} {100.0 * failed / max(1, ok + failed):<10.3f} {pct(0.50):<10.2f} {pct(0.99):<10.2f}")
PY
  [ -n "$DEVICE" ] && kill "$DEVICE" 2>/dev/null || true
  DEVICE=
done
