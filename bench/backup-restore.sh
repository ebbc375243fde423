#!/usr/bin/env bash
# Backup and restore at size, on loopback only: COUNT stored messages (SIPp, alice to an offline carol,
# at RATE/s) in a fresh embedded store, then GET /api/backup with curl (wall time, archive size), the
# server stopped, `switchboard restore` into a fresh data.dir (wall time; a second run without --force
# must exit 3), and a server started on the restored dir, whose history for carol is counted through
# the API. Bounded: one SIPp run with a timeout, the servers it starts are stopped by pid.
#   COUNT=5000 RATE=100 bench/backup-restore.sh
set -euo pipefail
cd "$(dirname "$0")/.."
COUNT=${COUNT:-5000}
RATE=${RATE:-100}
SIP_PORT=${SIP_PORT:-15370}
WEB_PORT=${WEB_PORT:-18380}
. bench/lib.sh

prepare
WORK=$(mktemp -d)
echo "bench: work dir $WORK; $COUNT stored messages at $RATE/s; $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
trap stop_server EXIT
start_server "$WORK" SWITCHBOARD_LOG_LEVEL="${LOG_LEVEL:-warn}" SWITCHBOARD_PROVISIONING_PORT=0
create_users "$WORK" alice:1001 carol:1003

(cd "$WORK" && timeout 900 sipp 127.0.0.1:$SIP_PORT -sf "$OLDPWD/$SCENARIOS/send-message.xml" -i 127.0.0.1 \
    -r "$RATE" -m "$COUNT" -l $((RATE * 10)) -nostdin -timeout 800s \
    -au alice -ap alice-sip-pw -auth_uri carol@bench.test -key domain bench.test -key from alice -key to carol \
    -key ctype text/plain -key body "a stored note of about sixty bytes, as people type them" > sender.out 2>&1) || true
grep -E 'Successful call|Failed call' "$WORK/sender.out" | tail -2 | tr -s ' ' | sed 's/^/sipp:/' 

echo "backup (curl: seconds, bytes):"
curl -sf -b "$WORK/admin" -o "$WORK/backup.zip" -w '  %{time_total} s, %{size_download} bytes\n' "http://127.0.0.1:$WEB_PORT/api/backup"
unzip -p "$WORK/backup.zip" manifest.json | python3 -c 'import json,sys; m=json.load(sys.stdin); print("  counts:", m["counts"])'
stop_server
echo "  data dir before: $(du -sb "$WORK/data" | cut -f1) bytes"

echo "restore into a fresh data.dir:"
START=$(date +%s.%N)
SWITCHBOARD_DATA_DIR="$WORK/restored" "$(server/java.sh)" ${JAVA_OPTS:-} -jar server/target/switchboard.jar restore "$WORK/backup.zip" \
  > "$WORK/restore.out" 2>&1
END=$(date +%s.%N)
python3 -c "print('  %.1f s' % ($END - $START))"
grep -E '^ |Restored' "$WORK/restore.out" | sed 's/^/  /'
set +e
SWITCHBOARD_DATA_DIR="$WORK/restored" "$(server/java.sh)" -jar server/target/switchboard.jar restore "$WORK/backup.zip" > "$WORK/again.out" 2>&1
echo "  again without --force: exit $? ($(tail -1 "$WORK/again.out" | cut -c1-100))"
set -e

WORK2="$WORK/second"
mkdir -p "$WORK2"
start_server "$WORK2" SWITCHBOARD_LOG_LEVEL="${LOG_LEVEL:-warn}" SWITCHBOARD_PROVISIONING_PORT=0 SWITCHBOARD_DATA_DIR="$WORK/restored"
curl -sf -c "$WORK2/carol" -H 'Content-Type: application/json' -d '{"username":"carol","password":"carol-web-pw"}' \
  "http://127.0.0.1:$WEB_PORT/api/login" > /dev/null
curl -sf -b "$WORK2/carol" "http://127.0.0.1:$WEB_PORT/api/conversations" \
  | python3 -c 'import json,sys; print("restored server, carol logs in with her old password; conversations:", [c["with"] for c in json.load(sys.stdin)["conversations"]])'
