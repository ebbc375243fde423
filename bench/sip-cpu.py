#!/usr/bin/env python3
"""The server's CPU time per request for B (REGISTER with digest), C (MESSAGE with digest to a
registered SIPp phone) and E2 (PUBLISH with digest for one of P presentities, each watched by one
SIPp watcher), at fixed rates: the figure the machine's other load moves least.

Reuses compare.py (the same users, SIPp scenarios, server settings). For each scenario: a JIT
warm-up, then for each rate one step of --seconds, reading the server's user+system CPU time from
/proc before and after; prints requests answered, CPU per request (B, C: a challenged request and
its authenticated one; E2: a modifying PUBLISH with its NOTIFY and the NOTIFY's 200; us), p50 and
p99, and the load average. E2's step also holds each publisher's start (PUBLISH, 407, PUBLISH) and
its closing PUBLISH (Expires 0): 3 x P requests more than it counts, and the 2 s the NOTIFY log is
given to settle. --alloc adds the bytes the server allocated per request: each step (and the
warm-up, so that JFR's own start-up is not in a step) is recorded with jcmd JFR.start/JFR.stop, with
jdk.ThreadAllocationStatistics only, at the recording's start and end (a recording with the usual
settings instruments JDK classes, and the recompilation that follows doubled the CPU of the step it
measured). For a profile, start the server's own recording: JAVA_OPTS='-Xms512m -Xmx2g
-XX:StartFlightRecording=filename=/tmp/e2.jfr,settings=profile'. Everything on 127.0.0.1, bounded,
ended by pid.

  bench/sip-cpu.py --rates B=1000,C=500 --seconds 8           # this checkout's jar
  bench/sip-cpu.py --jar /tmp/other.jar --rates C=500,C=1000  # another build, the same way
  bench/sip-cpu.py --rates E2=400,E2=400 --e2-presentities 50 --seconds 16 --warmup 40 --alloc
"""
import argparse
import collections
import importlib.util
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location('compare', os.path.join(HERE, 'compare.py'))
compare = importlib.util.module_from_spec(spec)
spec.loader.exec_module(compare)


def cpu_seconds(pid):
    """The process's user and system CPU time, s."""
    with open(f'/proc/{pid}/stat') as f:
        fields = f.read().rsplit(')', 1)[1].split()
    return int(fields[11]) / os.sysconf('SC_CLK_TCK'), int(fields[12]) / os.sysconf('SC_CLK_TCK')


def thread_cpu(pid):
    """CPU seconds per group of threads (the name without its digits: 'vert.x-eventloop-thread-')."""
    groups = collections.Counter()
    for tid in os.listdir(f'/proc/{pid}/task'):
        try:
            name = open(f'/proc/{pid}/task/{tid}/comm').read().strip()
            fields = open(f'/proc/{pid}/task/{tid}/stat').read().rsplit(')', 1)[1].split()
        except OSError:  # ended meanwhile
            continue
        groups[name.rstrip('0123456789')] += (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')
    return groups


# A recording of the per-thread allocation counters only: nothing instrumented, nothing recompiled.
ALLOCATION_SETTINGS = """<?xml version="1.0" encoding="UTF-8"?>
<configuration version="2.0" label="allocation">
  <event name="jdk.ThreadAllocationStatistics">
    <setting name="enabled">true</setting>
    <setting name="period">everyChunk</setting>
  </event>
</configuration>
"""


class Allocation:
    """Bytes the server allocates between start() and stop(), from a JFR recording of its threads' counters."""

    def __init__(self, pid, work):
        self.pid = pid
        self.settings = os.path.join(work, 'allocation.jfc')
        self.file = os.path.join(work, 'allocation.jfr')
        with open(self.settings, 'w') as f:
            f.write(ALLOCATION_SETTINGS)

    def start(self):
        self.jcmd('JFR.start', 'name=allocation', f'settings={self.settings}')

    def stop(self):
        self.jcmd('JFR.stop', 'name=allocation', f'filename={self.file}')
        return allocated_bytes(self.file)

    def jcmd(self, *args):
        subprocess.run(['jcmd', str(self.pid)] + list(args), check=True, stdout=subprocess.DEVNULL, timeout=60)


def allocated_bytes(jfr_file):
    """Bytes allocated by all threads over the recording: per thread, its last count less its first."""
    out = subprocess.run(['jfr', 'print', '--json', '--events', 'jdk.ThreadAllocationStatistics', jfr_file],
                         check=True, capture_output=True, text=True, timeout=120).stdout
    seen = collections.defaultdict(list)
    for e in json.loads(out)['recording']['events']:
        v = e['values']
        seen[(v['thread'] or {}).get('javaThreadId')].append(v['allocated'])
    return sum(max(counts) - min(counts) for counts in seen.values())


def main(argv):
    p = argparse.ArgumentParser(prog='bench/sip-cpu.py', description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--rates', default='B=1000,C=500', help='SCENARIO=RATE,... in the order run (B, C, E2)')
    p.add_argument('--seconds', type=float, default=8, help='length of one step, s')
    p.add_argument('--warmup', type=float, default=10, help='JIT warm-up per scenario, s, at half its first rate')
    p.add_argument('--users', type=int, default=50)
    p.add_argument('--senders', type=int, default=10)
    p.add_argument('--e2-presentities', type=int, default=50, help='E2: presentities, one SIPp publisher and watcher each')
    p.add_argument('--alloc', action='store_true', help='bytes allocated per request too (a JFR recording per step)')
    p.add_argument('--jar', help='the jar to run (default: server/target/switchboard.jar)')
    p.add_argument('--data', help="start on a copy of this data dir (its users; no import), e.g. one --save-data wrote")
    p.add_argument('--save-data', help='after the run, copy the server data dir here (its users, for --data)')
    a = p.parse_args(argv)
    steps = []
    for item in a.rates.split(','):
        sc, _, rate = item.partition('=')
        if sc.strip().upper() not in ('B', 'C', 'E2') or not rate.strip().isdigit():
            p.error(f'--rates: expected B=RATE, C=RATE or E2=RATE, got {item}')
        steps.append((sc.strip().upper(), int(rate)))
    if a.jar:
        compare.JAR = os.path.abspath(a.jar)
    scenarios = list(dict.fromkeys(sc for sc, _ in steps))
    args = compare.parse_args(['--quick', '--scenarios', ','.join(scenarios), '--seconds', str(a.seconds),
                               '--users', str(a.users), '--senders', str(a.senders),
                               '--e2-presentities', str(a.e2_presentities)])
    # SIGTERM/SIGINT unwind through the finally below, which ends the server and SIPp by pid.
    compare.stop_on_signals('sip-cpu')
    work = tempfile.mkdtemp(prefix='switchboard-sipcpu-')
    users = compare.Users(a.users, a.senders, a.e2_presentities, scenarios)
    server = compare.Switchboard(work, users, shlex.split(os.environ.get('JAVA_OPTS', '-Xms512m -Xmx2g')), None,
                                 a.data and os.path.abspath(a.data))
    bench = compare.Bench(args, users, work)
    compare.log(f'sip-cpu: jar {compare.JAR}')
    try:
        server.start()
        pid = server.proc.pid
        allocation = Allocation(pid, work) if a.alloc else None
        for sc in scenarios:
            publish = sc == 'E2'
            extra, cleanup = (bench.publish_setup if publish else bench.call_setup)(server, sc)
            step = bench.publish_step if publish else bench.call_step
            try:
                rates = [r for s, r in steps if s == sc]
                if allocation:
                    allocation.start()
                step(server, sc, max(1, rates[0] // 2), a.warmup, extra)
                if allocation:
                    allocation.stop()
                for rate in rates:
                    compare.settle(server.port)
                    load = os.getloadavg()[0]
                    if allocation:
                        allocation.start()
                    before, threads_before = cpu_seconds(pid), thread_cpu(pid)
                    s = step(server, sc, rate, a.seconds, extra)
                    after = cpu_seconds(pid)
                    user, system = after[0] - before[0], after[1] - before[1]
                    used = user + system
                    threads = thread_cpu(pid)
                    threads.subtract(threads_before)
                    alloc = ''
                    if allocation:
                        allocated = allocation.stop()
                        if s.answered:
                            alloc = f'  allocated {allocated / s.answered / 1024:6.1f} KB per request'
                    per = 1e6 * used / s.answered if s.answered else float('nan')
                    compare.log(f'  {sc} {rate:>6}/s  answered {s.answered:>6}  failed {100 * s.failed:5.2f} %  '
                                f'server CPU {used:6.2f} s = {per:6.0f} us per {"PUBLISH" if publish else "call"} '
                                f'({100 * system / used if used else 0:.0f} % system){alloc}  '
                                f'p50 {compare.ms(s.p50):>8}  '
                                f'p99 {compare.ms(s.p99):>8}  '
                                f'load {load:.1f}{s.note}')
                    if s.answered:  # threads that ended during the step are left out here
                        compare.log('      per thread group, us per request: ' + ', '.join(
                            f'{name} {1e6 * t / s.answered:.0f}' for name, t in threads.most_common(8)))
            finally:
                cleanup()
    finally:
        server.stop()
        compare.stop_all()
        if a.save_data:
            shutil.copytree(os.path.join(server.dir, 'data'), a.save_data)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == '__main__':
    main(sys.argv[1:])
