#!/usr/bin/env bash
# The 1,000,000-message run: fill a fresh store with stored messages through the driver (MessageFill),
# then SIP D and B on it with compare.py's steps; rates per tenth of the fill, rates and p99 after,
# bytes on disk per message, resident memory. See bench/million.py and bench/README.md.
#   bench/million.sh                         # 1,000,000 messages (hours on a busy 2-core machine)
#   bench/million.sh --count 100000 --baseline
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f server/target/switchboard.jar ] || mvn -B -o -q -pl server -am package -DskipTests
[ -f im/target/test-classes/io/switchboard/im/MessageFill.class ] || mvn -B -o -q -pl im -am test-compile
exec python3 bench/million.py "$@"
