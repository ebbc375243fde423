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
    "$(server/java.sh)" ${JAVA_OPTS:-} -jar "${JAR:-server/target/switchboard.jar}" > "$work/server.log" 2>&1 &
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

# people_csv ROWS EVERY: an import file of ROWS users u00000..., each with a SIP password and a Yealink
# desk phone, every EVERY-th with a web password web-pw-NNNNN (0: none).
people_csv() {
  python3 - "$1" "$2" <<'PY'
import sys
n, every = int(sys.argv[1]), int(sys.argv[2])
print("username,displayName,extension,password,sipPassword,role,kind,vendor,model,mac")
for i in range(n):
    web = "web-pw-%05d" % i if every and i % every == 0 else ""
    print("u%05d,User %d,%d,%s,sip-pw-%05d,,desk-phone,yealink,T46U,0015650%05x" % (i, i, 20000 + i, web, i, i))
PY
}

# options_load RUNDIR COUNT: SIPp OPTIONS at RATE/s to SIP_PORT (it ends itself after at most 20 min,
# or on SIGUSR1); response times in RUNDIR/options-load_*_rtt.csv. Run in a subshell: it cds and execs.
options_load() {
  mkdir -p "$1"
  cd "$1"
  exec sipp 127.0.0.1:$SIP_PORT -sf "$OLDPWD/bench/options-load.xml" \
      -i 127.0.0.1 -r "$RATE" -m "$2" -l $((RATE * 10)) -nostdin -timeout 1200s \
      -key domain bench.test -trace_rtt -rtt_freq 1 -trace_stat -fd 1 > sipp.out 2>&1
}

# login_flood OUT_JSON: FLOOD wrong web logins for admin on WEB_PORT, released together (threads
# behind a barrier); their statuses and the flood's start and end, as JSON.
login_flood() {
  timeout 300 python3 - "$WEB_PORT" "$FLOOD" > "$1" <<'PY'
import json, sys, threading, time, urllib.error, urllib.request
port, n = int(sys.argv[1]), int(sys.argv[2])
barrier, statuses, lock = threading.Barrier(n), {}, threading.Lock()
def attempt(i):
    body = json.dumps({"username": "admin", "password": "wrong-%d" % i}).encode()
    req = urllib.request.Request("http://127.0.0.1:%d/api/login" % port, body, {"Content-Type": "application/json"})
    barrier.wait()
    try:
        status = urllib.request.urlopen(req, timeout=240).status
    except urllib.error.HTTPError as e:
        status = e.code
    except Exception:
        status = "error"
    with lock:
        statuses[status] = statuses.get(status, 0) + 1
threads = [threading.Thread(target=attempt, args=(i,)) for i in range(n)]
start = time.time()
for t in threads: t.start()
for t in threads: t.join()
print(json.dumps({"start": start, "end": time.time(), "statuses": {str(k): v for k, v in sorted(statuses.items(), key=str)}}))
PY
}
