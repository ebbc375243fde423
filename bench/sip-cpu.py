#!/usr/bin/env python3
"""The server's CPU time per request for B (REGISTER with digest) and C (MESSAGE with digest to a
registered SIPp phone), at fixed rates: the figure the machine's other load moves least.

Reuses compare.py (the same users, SIPp scenarios, server settings). For each scenario: a JIT
warm-up, then for each rate one step of --seconds, reading the server's user+system CPU time from
/proc before and after; prints calls answered, CPU per call (a challenged request and
its authenticated one; us), p50 and p99, and the load
average. Everything on 127.0.0.1, bounded, ended by pid.

  bench/sip-cpu.py --rates B=1000,C=500 --seconds 8           # this checkout's jar
  bench/sip-cpu.py --jar /tmp/other.jar --rates C=500,C=1000  # another build, the same way
"""
import argparse
import importlib.util
import os
import shlex
import shutil
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location('compare', os.path.join(HERE, 'compare.py'))
compare = importlib.util.module_from_spec(spec)
spec.loader.exec_module(compare)


def cpu_seconds(pid):
    with open(f'/proc/{pid}/stat') as f:
        fields = f.read().rsplit(')', 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')


def main(argv):
    p = argparse.ArgumentParser(prog='bench/sip-cpu.py', description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--rates', default='B=1000,C=500', help='SCENARIO=RATE,... in the order run (B, C)')
    p.add_argument('--seconds', type=float, default=8, help='length of one step, s')
    p.add_argument('--warmup', type=float, default=10, help='JIT warm-up per scenario, s, at half its first rate')
    p.add_argument('--users', type=int, default=50)
    p.add_argument('--senders', type=int, default=10)
    p.add_argument('--jar', help='the jar to run (default: server/target/switchboard.jar)')
    p.add_argument('--data', help="start on a copy of this data dir (its users; no import), e.g. one --save-data wrote")
    p.add_argument('--save-data', help='after the run, copy the server data dir here (its users, for --data)')
    a = p.parse_args(argv)
    steps = []
    for item in a.rates.split(','):
        sc, _, rate = item.partition('=')
        if sc.strip().upper() not in ('B', 'C') or not rate.strip().isdigit():
            p.error(f'--rates: expected B=RATE or C=RATE, got {item}')
        steps.append((sc.strip().upper(), int(rate)))
    if a.jar:
        compare.JAR = os.path.abspath(a.jar)
    scenarios = list(dict.fromkeys(sc for sc, _ in steps))
    args = compare.parse_args(['--quick', '--scenarios', ','.join(scenarios), '--seconds', str(a.seconds),
                               '--users', str(a.users), '--senders', str(a.senders)])
    # SIGTERM/SIGINT unwind through the finally below, which ends the server and SIPp by pid.
    compare.stop_on_signals('sip-cpu')
    work = tempfile.mkdtemp(prefix='switchboard-sipcpu-')
    users = compare.Users(a.users, a.senders, 1, scenarios)
    server = compare.Switchboard(work, users, shlex.split(os.environ.get('JAVA_OPTS', '-Xms512m -Xmx2g')), None,
                                 a.data and os.path.abspath(a.data))
    bench = compare.Bench(args, users, work)
    compare.log(f'sip-cpu: jar {compare.JAR}')
    try:
        server.start()
        pid = server.proc.pid
        for sc in scenarios:
            extra, cleanup = bench.call_setup(server, sc)
            try:
                rates = [r for s, r in steps if s == sc]
                bench.call_step(server, sc, max(1, rates[0] // 2), a.warmup, extra)
                for rate in rates:
                    compare.settle(server.port)
                    load = os.getloadavg()[0]
                    before = cpu_seconds(pid)
                    s = bench.call_step(server, sc, rate, a.seconds, extra)
                    used = cpu_seconds(pid) - before
                    answered = round(max(20, round(rate * a.seconds)) * (1 - s.failed))
                    per = 1e6 * used / answered if answered else float('nan')
                    compare.log(f'  {sc} {rate:>6}/s  answered {answered:>6}  failed {100 * s.failed:5.2f} %  '
                                f'server CPU {used:6.2f} s = {per:6.0f} us per call  '
                                f'p50 {compare.ms(s.p50):>8}  '
                                f'p99 {compare.ms(s.p99):>8}  '
                                f'load {load:.1f}{s.note}')
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
