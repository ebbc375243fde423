# Shared by the benchmarks: start a Switchboard on loopback with the embedded store in a fresh
# directory, wait until it answers, create users. Sourced, not run. Everything it starts is ended
# by pid (stop_server).

SCENARIOS=uc-core/src/test/resources/sipp

# Builds the jar if missing and refuses to start over something already on WEB_PORT.
prepare() {
  [ -f server/target/switchboard.jar ] || mvn -B -q package -DskipTests
  if curl -s -o /dev/null "http://127.0.0.1:$WEB_PORT/api/health"; then
    echo "bench: something already answers on 127.0.0.1:$WEB_PORT; stop it or set WEB_PORT" >&2
    exit 1
  fi
}

# start_server WORKDIR [VAR=value ...]: SERVER holds the pid once it answers /api/health. The harness
# sends far more than one phone from loopback: 127.0.0.0/8 is exempt from the per-source flood limit.
start_server() {
  local work=$1
  shift
  env SWITCHBOARD_SIP_PORT="$SIP_PORT" SWITCHBOARD_SIP_BIND_ADDRESS=127.0.0.1 SWITCHBOARD_SIP_DOMAIN=bench.test \
    SWITCHBOARD_WEB_PORT="$WEB_PORT" SWITCHBOARD_WEB_BIND_ADDRESS=127.0.0.1 SWITCHBOARD_DATA_DIR="$work/data" \
    SWITCHBOARD_ADMIN_PASSWORD=bench-admin-pw SWITCHBOARD_SIP_FLOOD_EXEMPT=127.0.0.0/8 "$@" \
    java ${JAVA_OPTS:-} -jar server/target/switchboard.jar > "$work/server.log" 2>&1 &
  SERVER=$!
  for _ in $(seq 1 120); do
    curl -sf "http://127.0.0.1:$WEB_PORT/api/health" >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  echo "bench: server did not start" >&2
  cat "$work/server.log" >&2
  exit 1
}

stop_server() {
  kill "$SERVER" 2>/dev/null || true
  wait "$SERVER" 2>/dev/null || true
}

# create_users WORKDIR name:extension ...: each with web password NAME-web-pw and SIP password NAME-sip-pw.
create_users() {
  local work=$1
  shift
  curl -sf -c "$work/admin" -H 'Content-Type: application/json' \
    -d '{"username":"admin","password":"bench-admin-pw"}' "http://127.0.0.1:$WEB_PORT/api/login" >/dev/null
  for u in "$@"; do
    curl -sf -b "$work/admin" -H 'Content-Type: application/json' "http://127.0.0.1:$WEB_PORT/api/users" \
      -d "{\"username\":\"${u%%:*}\",\"extension\":\"${u##*:}\",\"password\":\"${u%%:*}-web-pw\",\"sipPassword\":\"${u%%:*}-sip-pw\"}" >/dev/null
  done
}
