"""The 1,000,000-message run (issue #12: "the rates hold after 1,000,000 stored messages").

1. Fills a fresh data dir with COUNT stored messages through the driver, not SIP (MessageFill, im's
   test scope: MongoMessageStore itself, so its document shape, indexes and batched durable writes),
   printing the insert rate per tenth (no decline as the store grows) and the bytes on disk per
   message against its encoded BSON size. 10 of them wait for each of the B users (u000000...), the
   rest for 1,000 other users.
2. Starts the jar on that directory (time to /api/health) and runs, with compare.py's own steps and
   rate search (--quick), scenario D (MESSAGE to an offline user, stored: the store keeps growing)
   and B (REGISTER, here of users who each have stored messages, so every REGISTER also looks up
   and tries to deliver them to a contact nobody listens on).
3. With --baseline, the same D and B first on an empty store, for the ratio.
Resident memory and the data dir's size after each part. Everything on 127.0.0.1, ended by pid.
"""
import argparse
import os
import shlex
import subprocess
import sys
import tempfile
import time
import shutil

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import compare as c  # noqa: E402

CLASSPATH = os.path.join(c.ROOT, 'im', 'target', 'test-classes') + ':' + c.JAR


def resident_mb(pid):
    try:
        with open(f'/proc/{pid}/status') as f:
            for line in f:
                if line.startswith('VmRSS'):
                    return int(line.split()[1]) // 1024
    except OSError:
        pass
    return None


def heap_after_gc_mb(pid):
    """Heap in use after a full GC (jcmd): what the server keeps, whatever -Xmx lets the heap grow to."""
    try:
        subprocess.run(['jcmd', str(pid), 'GC.run'], capture_output=True, timeout=120)
        info = subprocess.run(['jcmd', str(pid), 'GC.heap_info'], capture_output=True, text=True, timeout=60).stdout
        for word, nxt in zip(info.split(), info.split()[1:]):
            if word == 'used' and nxt.endswith('K'):
                return int(nxt[:-1]) // 1024
    except (OSError, subprocess.SubprocessError, ValueError):
        pass
    return None


def dir_mb(path):
    total = 0
    for root, _, files in os.walk(path):
        for name in files:
            try:
                total += os.path.getsize(os.path.join(root, name))
            except OSError:
                pass
    return total / 1e6


def run_server(work, label, users, args, java_opts, fill_count):
    """One server on its own data dir (filled first when fill_count): D then B; its figures."""
    sub = os.path.join(work, label)
    os.makedirs(sub)
    server = c.Switchboard(sub, users, java_opts, None)
    data = os.path.join(server.dir, 'data')
    out = {'label': label}
    if fill_count:
        c.log(f'million: filling {fill_count:,} messages into {data}')
        began = time.time()
        recipients = [f'{u}:10' for u in users.registering]
        fill = subprocess.run(['timeout', str(args.fill_timeout), 'java', '-Xmx1g', '-cp', CLASSPATH,
                               'io.switchboard.im.MessageFill', data, str(fill_count)] + recipients,
                              capture_output=True, text=True)
        lines = [l for l in fill.stdout.splitlines() if not (' INFO ' in l or ' WARN ' in l)]
        for line in lines:
            c.log('  ' + line)
        if fill.returncode != 0:
            raise SystemExit(f'million: the fill failed ({fill.returncode}):\n' + fill.stderr[-3000:])
        out['fill_s'] = time.time() - began
    began = time.time()
    imported = []
    create_users = server.create_users
    server.create_users = lambda: (imported.append(time.time()), create_users())
    server.start()
    out['healthy_s'] = imported[0] - began
    c.log(f'million: {label}: healthy in {out["healthy_s"]:.1f} s, resident {resident_mb(server.proc.pid)} MB, '
          f'data {dir_mb(data):.0f} MB')
    bench = c.Bench(args, users, os.path.join(sub, 'bench'))
    os.makedirs(bench.work)
    try:
        for sc in ('D', 'B'):
            c.log(f'million: {label}: {c.TITLES[sc]}')
            out[sc], _ = bench.scenario(server, sc, warm=True)
            out[sc + '_rss'] = resident_mb(server.proc.pid)
            out[sc + '_data'] = dir_mb(data)
        out['heap'] = heap_after_gc_mb(server.proc.pid)
        c.log(f'million: {label}: resident {out["B_rss"]} MB, heap after a full GC {out["heap"]} MB')
    finally:
        server.stop()
        c.stop_all()
    return out


def main(argv):
    p = argparse.ArgumentParser(prog='bench/million.sh', description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--count', type=int, default=1_000_000, help='stored messages to fill (default 1,000,000)')
    p.add_argument('--seconds', type=float, default=8, help='length of one rate step (default 8)')
    p.add_argument('--baseline', action='store_true', help='D and B on an empty store first')
    p.add_argument('--fill-timeout', type=int, default=4 * 3600, help='bound for the fill, s (default 4 h)')
    p.add_argument('--keep', action='store_true', help='keep the temp dir')
    a = p.parse_args(argv)
    args = c.parse_args(['--quick', '--seconds', str(a.seconds), '--scenarios', 'D,B', '--only', 'switchboard'])
    args.fill_timeout = a.fill_timeout
    users = c.Users(args.users, args.senders, args.e2_presentities, args.scenarios)
    java_opts = shlex.split(os.environ.get('JAVA_OPTS', '-Xms512m -Xmx2g'))
    work = tempfile.mkdtemp(prefix='switchboard-million-')
    command = 'bench/million.sh ' + ' '.join(shlex.quote(x) for x in argv)
    c.log(f'million: work dir {work}; load average {os.getloadavg()[0]:.1f}')
    results = []
    try:
        if a.baseline:
            results.append(run_server(work, 'empty', users, args, java_opts, 0))
        results.append(run_server(work, f'{a.count:,} stored', users, args, java_opts, a.count))
    finally:
        c.stop_all()
        if a.keep:
            c.log(f'million: kept {work}')
        else:
            shutil.rmtree(work, ignore_errors=True)
    c.log('')
    c.log(f'{"store":<18} {"healthy":>8} {"D/s":>7} {"D p99":>8} {"B/s":>7} {"B p99":>8} {"RSS MB":>7} {"heap MB":>8} '
          f'{"data MB":>8}')
    for r in results:
        def rate(sc):
            s = r.get(sc)
            return (f'{s.achieved:7.0f}', f'{c.ms(s.p99):>8}') if s else (f'{"-":>7}', f'{"-":>8}')
        d, b = rate('D'), rate('B')
        c.log(f'{r["label"]:<18} {r["healthy_s"]:7.1f}s {d[0]} {d[1]} {b[0]} {b[1]} {r.get("B_rss") or "?":>7} '
              f'{r.get("heap") or "?":>8} {r.get("B_data", 0):8.0f}')
    c.log(f'load average now {os.getloadavg()[0]:.1f}; command: {command}')


if __name__ == '__main__':
    main(sys.argv[1:])
