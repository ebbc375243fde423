#!/usr/bin/env bash
# The CPU time an insert of the history costs, without SIP: MessageFill inserts N messages through
# MongoMessageStore (its indexes, its batched durable writes) into a fresh data dir, and the JVM's
# user + system CPU time is read from /usr/bin/time; two jars alternate, ROUNDS times each, so that the
# machine's load falls on both alike. JVM start and JIT are in every figure, the same for both jars.
#   bench/insert-cpu.sh /tmp/before.jar server/target/switchboard.jar          # 30,000 messages, 3 rounds
#   N=100000 ROUNDS=2 bench/insert-cpu.sh A.jar B.jar
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -eq 2 ] || { echo "usage: bench/insert-cpu.sh JAR_A JAR_B" >&2; exit 2; }
N=${N:-30000}
ROUNDS=${ROUNDS:-3}
[ -f im/target/test-classes/io/switchboard/im/MessageFill.class ] || mvn -B -o -q -pl im -am test-compile
work=$(mktemp -d /tmp/switchboard-insertcpu-XXXXXX)
trap 'rm -rf "$work"' EXIT
for round in $(seq "$ROUNDS"); do
  for jar in "$1" "$2"; do
    rm -rf "$work/data"
    /usr/bin/time -f "%U %S %e" -o "$work/time" java -Xmx1g -cp "im/target/test-classes:$jar" \
      io.switchboard.im.MessageFill "$work/data" "$N" u000000:10 >/dev/null 2>&1
    read -r user sys wall < "$work/time"
    awk -v j="$jar" -v r="$round" -v u="$user" -v s="$sys" -v w="$wall" -v n="$N" -v l="$(cut -d' ' -f1 /proc/loadavg)" \
      'BEGIN { printf "round %d  %-40s  CPU %6.2f s (%5.1f us per insert)  wall %6.1f s  load %s\n", r, j, u + s, 1e6 * (u + s) / n, w, l }'
  done
done
