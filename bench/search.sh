#!/usr/bin/env bash
# Message search on a large store (#13 item 5): fills a fresh embedded store with COUNT messages through
# MongoMessageStore (1,000 users, MINE of them alice's), then times her searches (MessageSearchBench).
#   bench/search.sh                          # 1,000,000 messages, 5,000 of them alice's
#   bench/search.sh --count 200000 --mine 5000 --repeats 50
set -euo pipefail
cd "$(dirname "$0")/.."
COUNT=1000000; MINE=5000; REPEATS=50
while [ $# -gt 0 ]; do
  case "$1" in
    --count) COUNT="$2"; shift 2 ;;
    --mine) MINE="$2"; shift 2 ;;
    --repeats) REPEATS="$2"; shift 2 ;;
    *) echo "usage: $0 [--count N] [--mine N] [--repeats N]" >&2; exit 2 ;;
  esac
done
# The server's jar (the store and IM as they ship) and the bench class from im's test scope, as million.sh.
[ -f server/target/switchboard.jar ] || mvn -B -o -q -pl server -am package -DskipTests
[ -f im/target/test-classes/io/switchboard/im/MessageSearchBench.class ] || mvn -B -o -q -pl im -am test-compile
DATA=$(mktemp -d)
trap 'rm -rf "$DATA"' EXIT
java -Xmx1g -cp "im/target/test-classes:server/target/switchboard.jar" io.switchboard.im.MessageSearchBench \
  "$DATA" "$COUNT" "$MINE" "$REPEATS"
echo "data dir: $(du -sh "$DATA" | cut -f1)"
