#!/usr/bin/env bash
# What a CSV import costs the server, on loopback only: the jar with the embedded store, ROWS users (SIP
# password and a Yealink phone each, no web password) posted to /api/import as the admin; prints the
# server's CPU time (/proc/<pid>/stat) from the request to the answer and until it has settled (under 0.4 s
# of CPU in 5 s, at most 2 minutes), and how often the PJSIP file was written. Bounded; the server it
# starts is stopped by pid.
#   ROWS=5000 bench/import-cpu.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${ROWS:-5000}
SIP_PORT=${SIP_PORT:-15470}
WEB_PORT=${WEB_PORT:-18480}
PROVISIONING_PORT=${PROVISIONING_PORT:-18481}
. bench/lib.sh

prepare
WORK=$(mktemp -d)
trap stop_server EXIT
people_csv "$ROWS" 0 > "$WORK/people.csv"
start_server "$WORK" SWITCHBOARD_LOG_LEVEL=info SWITCHBOARD_PROVISIONING_PORT="$PROVISIONING_PORT"
curl -sf -c "$WORK/admin" -H 'Content-Type: application/json' \
  -d '{"username":"admin","password":"bench-admin-pw"}' "http://127.0.0.1:$WEB_PORT/api/login" >/dev/null
ticks() { awk '{print $14 + $15}' "/proc/$SERVER/stat"; }
hz=$(getconf CLK_TCK)
sleep 5 # the start-up's own work
c0=$(ticks)
t0=$(date +%s.%N)
curl -s -o "$WORK/report.json" -w 'import: HTTP %{http_code} in %{time_total} s\n' -b "$WORK/admin" \
  -H 'Content-Type: text/csv' --max-time 1200 --data-binary @"$WORK/people.csv" "http://127.0.0.1:$WEB_PORT/api/import"
c1=$(ticks)
prev=$c1
for _ in $(seq 1 24); do
  sleep 5
  now=$(ticks)
  [ $((now - prev)) -lt $((hz * 4 / 10)) ] && break
  prev=$now
done
c2=$(ticks)
t2=$(date +%s.%N)
python3 - "$hz" "$c0" "$c1" "$c2" "$t0" "$t2" <<'PY'
import sys
hz, c0, c1, c2 = (int(x) for x in sys.argv[1:5])
t0, t2 = float(sys.argv[5]), float(sys.argv[6])
print(f"server CPU: {(c1 - c0) / hz:.1f} s until the answer, {(c2 - c0) / hz:.1f} s until settled ({t2 - t0:.1f} s after the request)")
PY
echo "PJSIP file written: $(grep -c 'PJSIP file written' "$WORK/server.log") times (the start-up's included); load average $(cut -d' ' -f1-3 /proc/loadavg)"
