#!/usr/bin/env python3
"""Side by side: the same SIPp scenarios and rate search against Kamailio (the reference) and
Switchboard, one after the other on this machine, and one table of ratios.

Run it through bench/compare.sh, which installs what is missing and builds the jar; bench/README.md
says how to read the table. Everything runs on 127.0.0.1; every process it starts is remembered
and ended by pid (also on Ctrl-C); its temp dir is removed at the end unless --keep.

Scenarios (bench/sipp/, copied from the benchmark anchor; the same files for both servers):
  B   REGISTER with digest (401), distinct users, refreshes after the first round
  C   MESSAGE with digest (407) to user "sink", registered by a SIPp phone that answers 200
  D   MESSAGE with digest to one user who never registered: 202, stored
  E1  1 presentity x N watchers: PUBLISH at a rate, every watcher gets a NOTIFY per PUBLISH
  E2  P presentities x 1 watcher each, one SIPp process per presentity (--e2-presentities)
Every SIPp process sends to one constant Request-URI and passes it as -auth_uri: the digest uri
must equal the Request-URI (RFC 3261 22.4; Switchboard answers 400 otherwise), and SIPp 3.6 takes
one -auth_uri for the whole run.
A rate passes with < 0.1 % failed, >= 97 % of the target achieved and p99 < 1 s; rates are searched
upward (doubling, then by --factor), the best one is confirmed by --confirm more runs.
When both servers run, Switchboard also runs one step per scenario at the goal's rate (issue #12:
Kamailio's best rate times GOALS' multiple) and a second table says whether the goal's p99 held there.
"""
import argparse
import collections
import glob
import hashlib
import http.cookiejar
import math
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(ROOT, 'bench')
SCENARIO_DIR = os.path.join(BENCH, 'sipp')
KAMAILIO_CFG = os.path.join(BENCH, 'kamailio', 'kamailio-auth.cfg')
KAMAILIO_SCHEMA = '/usr/share/kamailio/db_sqlite'
JAR = os.path.join(ROOT, 'server', 'target', 'switchboard.jar')
# The java run.sh runs the server on (server/java.sh: the newest JDK of 21 or later, else the PATH's).
JAVA = subprocess.run([os.path.join(ROOT, 'server', 'java.sh')], capture_output=True, text=True, check=True).stdout.strip()
HOST = '127.0.0.1'
DOMAIN = 'uc.test'
KAMAILIO_PORT = 5080
ADMIN_PASSWORD = 'bench-admin-pw'

ALL_SCENARIOS = ['B', 'C', 'D', 'E1', 'E2']
TITLES = {
    'B': 'B REGISTER/s',
    'C': 'C MESSAGE->device/s',
    'D': 'D MESSAGE->stored/s',
    'E1': 'E1 NOTIFY/s (1x{n})',
    'E2': 'E2 PUBLISH/s ({p}x1)',
}
# Where the search starts (requests per second; E1 and E2: PUBLISHes per second).
QUICK_START = {'B': 200, 'C': 100, 'D': 50, 'E1': 5, 'E2': 20}
FULL_START = {'B': 400, 'C': 200, 'D': 100, 'E1': 2, 'E2': 100}

# The goal per scenario (issue #12): Switchboard at this multiple of Kamailio's best rate, with a p99
# below this many seconds there (None: no latency goal).
GOALS = {'B': (1.0, None), 'C': (1.0, 0.025), 'D': (2.0, 0.050), 'E1': (2.0, 0.100), 'E2': (1.0, None)}

MAX_FAILED = 0.001
MIN_ACHIEVED = 0.97
MAX_P99 = 1.0

RUNNING = []  # processes started here, ended by pid on the way out


def log(msg):
    print(msg, flush=True)


# ---------------------------------------------------------------- processes and ports

def start(cmd, cwd, out_name, env=None):
    out = open(os.path.join(cwd, out_name), 'w')
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                            env=env)
    out.close()
    RUNNING.append(proc)
    return proc


def stop(proc, grace=15):
    """Ends one process we started: SIGTERM, then SIGKILL after the grace time."""
    if proc is None:
        return
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    if proc in RUNNING:
        RUNNING.remove(proc)


def stop_on_signals(who):
    """SIGTERM and SIGINT raise SystemExit, so that the caller's finally ends what it started."""
    def on_signal(signum, _frame):
        raise SystemExit(f'{who}: stopped by signal {signum}')
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)


def stop_all():
    for proc in list(reversed(RUNNING)):
        stop(proc, grace=10)


def run(cmd, cwd, out_name, timeout):
    """Runs one bounded process to its end (killed at the timeout)."""
    proc = start(cmd, cwd, out_name)
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        log(f'  (killed after {timeout:.0f} s: {os.path.basename(cmd[0])} in {cwd})')
    stop(proc, grace=2)


def port_free(port):
    for kind in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
        s = socket.socket(socket.AF_INET, kind)
        try:
            s.bind((HOST, port))
        except OSError:
            return False
        finally:
            s.close()
    return True


_handed_out = set()


def settle(port, answer_within=0.1, limit=20.0):
    """Waits (bounded) until the server answers an OPTIONS promptly again: the backlog of an
    overloaded run (queued requests, retransmissions) must not count against the next one."""
    began = time.time()
    while time.time() - began < limit:
        if sip_options_answered(port, timeout=answer_within):
            return
        time.sleep(0.5)
    log(f'  (still no prompt answer to OPTIONS on {HOST}:{port} after {limit:.0f} s; going on)')


def free_port():
    """A port free for both UDP and TCP on loopback, not handed out before in this run."""
    for _ in range(200):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind((HOST, 0))
        port = s.getsockname()[1]
        s.close()
        if port not in _handed_out and port != KAMAILIO_PORT and port_free(port):
            _handed_out.add(port)
            return port
    raise SystemExit('compare: no free port on 127.0.0.1')


def media_port():
    """A base for SIPp's RTP sockets, which every SIPp process binds (this port and the next three: audio,
    video) though no scenario here sends media. Without it each takes the first free one from 6000, and
    processes started together (E2's 50 and more) race for the same one: the loser exits at start-up
    ("Unable to bind audio RTP socket ... Address already in use") and its presentity counts as failed."""
    for _ in range(200):
        port = free_port()
        rest = range(port + 1, port + 4)
        if port % 2 == 0 and port + 3 <= 65535 and all(q not in _handed_out and port_free(q) for q in rest):
            _handed_out.update(rest)
            return port
    raise SystemExit('compare: no free media ports on 127.0.0.1')


def sip_options_answered(port, timeout=1.0):
    """True when something answers an OPTIONS on 127.0.0.1:port (UDP) within the timeout."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(timeout)
    try:
        s.bind((HOST, 0))
        me = s.getsockname()[1]
        msg = (f'OPTIONS sip:{HOST}:{port} SIP/2.0\r\n'
               f'Via: SIP/2.0/UDP {HOST}:{me};branch=z9hG4bK-probe{time.time_ns()}\r\n'
               f'Max-Forwards: 70\r\nFrom: <sip:probe@{DOMAIN}>;tag=p\r\nTo: <sip:{HOST}:{port}>\r\n'
               f'Call-ID: probe-{time.time_ns()}@{HOST}\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n')
        s.sendto(msg.encode(), (HOST, port))
        data = s.recv(65535)
        return data.startswith(b'SIP/2.0 ')
    except OSError:
        return False
    finally:
        s.close()


# ---------------------------------------------------------------- users

def auth_keyword(user):
    # SIPp 3.6 expands a whole [authentication ...] keyword from an injection field, not [fieldN] in it.
    return f'[authentication username={user} password={user}-sip-pw]'


class Users:
    """The same users for both servers; every SIP password is <user>-sip-pw."""

    def __init__(self, n, senders, e2_presentities, scenarios):
        self.registering = [f'u{i:06d}' for i in range(n)]
        self.senders = [f's{i:03d}' for i in range(senders)]
        # D: one never-registered recipient, so that one -auth_uri fits every MESSAGE
        self.offline = ['off00000']
        self.watchers = [f'w{i:04d}' for i in range(n)]
        # E2: one SIPp process per presentity (each its own Request-URI and -auth_uri)
        self.presentities = [f'p{i:04d}' for i in range(min(n, e2_presentities))]
        wanted = []
        if 'C' in scenarios:
            wanted += ['sink'] + self.senders
        if 'D' in scenarios:
            wanted += self.senders + self.offline
        if 'E1' in scenarios or 'E2' in scenarios:
            wanted += self.watchers
        if 'E1' in scenarios:
            wanted += ['p0']
        if 'B' in scenarios:
            wanted += self.registering
        if 'E2' in scenarios:
            wanted += self.presentities
        self.all = list(dict.fromkeys(wanted))


def write_csv(path, rows):
    with open(path, 'w') as f:
        f.write('SEQUENTIAL\n')
        for r in rows:
            f.write(';'.join(r) + '\n')
    return path


# ---------------------------------------------------------------- servers

class Kamailio:
    name = 'Kamailio'

    def __init__(self, work, users):
        self.dir = os.path.join(work, 'kamailio')
        os.makedirs(self.dir)
        self.users = users
        self.proc = None
        self.port = KAMAILIO_PORT
        self.target = f'{HOST}:{KAMAILIO_PORT}'

    def start(self):
        if not port_free(KAMAILIO_PORT):
            raise SystemExit(f'compare: {HOST}:{KAMAILIO_PORT} is taken; Kamailio needs it (stop what runs there)')
        db = os.path.join(self.dir, 'uc.sqlite')
        sql = [open(os.path.join(KAMAILIO_SCHEMA, f'{t}-create.sql')).read()
               for t in ('standard', 'msilo', 'presence', 'auth_db')]
        sql.append('PRAGMA journal_mode=WAL;')
        sql.append('BEGIN;')
        for u in self.users.all:
            ha1 = hashlib.md5(f'{u}:{DOMAIN}:{u}-sip-pw'.encode()).hexdigest()
            sql.append(f"INSERT INTO subscriber (username, domain, ha1) VALUES ('{u}', '{DOMAIN}', '{ha1}');")
        sql.append('COMMIT;')
        subprocess.run(['sqlite3', db], input='\n'.join(sql), text=True, check=True, stdout=subprocess.DEVNULL)
        self.proc = start(['kamailio', '-f', KAMAILIO_CFG, '-DD', '-E', '-m', '512', '-M', '16', '-Y', self.dir,
                           '-A', f'DBURL="sqlite://{db}"', '-A', f'CTLSOCK="unix:{self.dir}/kamailio_ctl"'],
                          self.dir, 'kamailio.log')
        for _ in range(60):
            if self.proc.poll() is not None:
                break
            if sip_options_answered(KAMAILIO_PORT):
                log(f'Kamailio: pid {self.proc.pid} on {self.target}, {len(self.users.all)} subscribers (sqlite)')
                return
            time.sleep(0.5)
        raise SystemExit('compare: Kamailio did not start:\n' + tail(os.path.join(self.dir, 'kamailio.log')))

    def stop(self):
        stop(self.proc)


class Switchboard:
    name = 'Switchboard'

    def __init__(self, work, users, java_opts, jfr, data=None):
        self.dir = os.path.join(work, 'switchboard')
        os.makedirs(self.dir)
        self.data = data
        self.users = users
        self.java_opts = java_opts
        self.jfr = jfr
        self.proc = None
        self.sip_port = free_port()
        self.web_port = free_port()
        self.port = self.sip_port
        self.target = f'{HOST}:{self.sip_port}'
        self.flood_exempt = False

    def config_keys(self):
        with zipfile.ZipFile(JAR) as jar:
            text = jar.read('switchboard-reference.properties').decode()
        return {line.split('=', 1)[0].strip() for line in text.splitlines()
                if '=' in line and not line.lstrip().startswith('#')}

    def start(self):
        keys = self.config_keys()
        settings = {
            'sip.bind-address': HOST, 'sip.advertised-address': HOST, 'sip.port': self.sip_port,
            'sip.domain': DOMAIN, 'web.bind-address': HOST, 'web.port': self.web_port,
            'provisioning.bind-address': HOST, 'provisioning.port': free_port(), 'sip.tls-port': free_port(),
            'data.dir': os.path.join(self.dir, 'data'), 'admin.password': ADMIN_PASSWORD,
            # watchers are nobody's buddies: without this every SUBSCRIBE would wait for a decision
            'presence.default-rule': 'allow',
            # the harness sends thousands of requests a second from one address
            'sip.flood.exempt': '127.0.0.0/8',
        }
        env = dict(os.environ)
        env.setdefault('SWITCHBOARD_LOG_LEVEL', 'warn')
        for key, value in settings.items():
            if key in keys:  # a key the jar does not know would stop start-up (or be ignored): left out
                env['SWITCHBOARD_' + key.upper().replace('.', '_').replace('-', '_')] = str(value)
        self.flood_exempt = 'sip.flood.exempt' in keys
        if self.data:  # a copy: the runs write bindings and messages into it
            shutil.copytree(self.data, os.path.join(self.dir, 'data'))
        cmd = [JAVA] + self.java_opts
        if self.jfr:
            cmd.append(f'-XX:StartFlightRecording=filename={os.path.abspath(self.jfr)},settings=profile,dumponexit=true')
        cmd += ['-jar', JAR]
        self.proc = start(cmd, self.dir, 'server.log', env=env)
        for _ in range(240):
            if self.proc.poll() is not None:
                break
            try:
                with urllib.request.urlopen(f'http://{HOST}:{self.web_port}/api/health', timeout=2) as r:
                    if r.status == 200:
                        break
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.5)
        else:
            raise SystemExit('compare: Switchboard did not become healthy:\n' + tail(self.log()))
        if self.proc.poll() is not None:
            raise SystemExit(f'compare: Switchboard exited ({self.proc.returncode}):\n' + tail(self.log()))
        log(f'Switchboard: pid {self.proc.pid}, SIP {self.target}, web {HOST}:{self.web_port}, '
            f'sip.flood.exempt {"127.0.0.0/8" if self.flood_exempt else "not known to this jar, left out"}')
        if self.data:
            log(f'Switchboard: on a copy of {self.data} (its users, no import)')
        else:
            self.create_users()

    def create_users(self):
        """Through the admin API's CSV import, without web passwords (SIP only: hashing one web password
        with PBKDF2 takes ~0.1 s of a core, so 500 users took minutes on a loaded machine)."""
        began = time.time()
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        login = urllib.request.Request(f'http://{HOST}:{self.web_port}/api/login', method='POST',
                                       data=f'{{"username":"admin","password":"{ADMIN_PASSWORD}"}}'.encode(),
                                       headers={'Content-Type': 'application/json'})
        opener.open(login, timeout=30).read()
        for i in range(0, len(self.users.all), 1000):
            rows = ['username,sipPassword']
            rows += [f'{u},{u}-sip-pw' for u in self.users.all[i:i + 1000]]
            req = urllib.request.Request(f'http://{HOST}:{self.web_port}/api/import', method='POST',
                                         data=('\n'.join(rows) + '\n').encode(), headers={'Content-Type': 'text/csv'})
            try:
                opener.open(req, timeout=1200).read()
            except urllib.error.HTTPError as e:
                raise SystemExit(f'compare: user import failed: {e.code} {e.read()[:500]!r}')
        log(f'Switchboard: {len(self.users.all)} users imported in {time.time() - began:.0f} s')

    def log(self):
        return os.path.join(self.dir, 'server.log')

    def stop(self):
        stop(self.proc, grace=30)


def tail(path, lines=30):
    try:
        return ''.join(open(path, errors='replace').readlines()[-lines:])
    except OSError:
        return '(no log)'


# ---------------------------------------------------------------- measuring

class Step:
    """One run at one target rate, judged."""

    def __init__(self, target, failed, achieved, latencies, shown_rate=None, note='', answered=None):
        self.target = target
        self.failed = failed
        self.answered = answered  # requests answered (B, C, D: calls; E: modifying PUBLISHes)
        self.achieved = achieved
        latencies.sort()
        self.p50 = pct(latencies, 0.50)
        self.p99 = pct(latencies, 0.99)
        self.rate = achieved if shown_rate is None else shown_rate
        self.note = note
        self.passed = self.failed < MAX_FAILED and achieved >= MIN_ACHIEVED * target and self.p99 < MAX_P99

    def line(self):
        return (f'target {self.target:>7g}/s  achieved {self.achieved:8.1f}/s  failed {100 * self.failed:6.2f} %  '
                f'p50 {ms(self.p50):>8}  p99 {ms(self.p99):>8}  {"pass" if self.passed else "FAIL"}{self.note}')


def pct(values, p):
    return values[min(len(values) - 1, int(p * len(values)))] if values else float('nan')


def ms(seconds):
    return 'n/a' if seconds != seconds else f'{seconds * 1000:.0f} ms' if seconds >= 0.01 else f'{seconds * 1000:.1f} ms'


def stamp(sec, usec):
    return float(sec) + float(usec) / 1e6


def log_lines(run_dir, scenario):
    lines = []
    for f in glob.glob(os.path.join(run_dir, f'{scenario}_*_logs.log')):
        lines += open(f, errors='replace').read().splitlines()
    return lines


def sipp_cmd(server, scenario, auth_uri, port=None):
    """auth_uri: the Request-URI of every request this SIPp process authenticates, without "sip:" (SIPp adds
    it); SIPp's default digest uri is the server's ip:port, which a strict server answers with 400."""
    return ['sipp', server.target, '-sf', os.path.join(SCENARIO_DIR, scenario + '.xml'), '-i', HOST,
            '-p', str(port or free_port()), '-mp', str(media_port()), '-nostdin', '-trace_logs', '-trace_err',
            '-buff_size', '4194304', '-auth_uri', auth_uri]


def uri(user=None):
    return f'{user}@{DOMAIN}' if user else DOMAIN


def run_all(cmds, cwd, out_prefix, timeout, spacing=0.0):
    """Runs bounded processes side by side, started `spacing` s apart, to their end (killed at the timeout)."""
    procs = []
    for i, cmd in enumerate(cmds):
        if i and spacing > 0:
            time.sleep(spacing)
        procs.append(start(cmd, cwd, f'{out_prefix}-{i:03d}.out'))
    deadline = time.time() + timeout
    for proc in procs:
        try:
            proc.wait(max(0.1, deadline - time.time()))
        except subprocess.TimeoutExpired:
            log(f'  (killed after {timeout:.0f} s: sipp in {cwd})')
        stop(proc, grace=2)


def unexpected_answers(run_dir):
    """Status codes SIPp did not expect (from its -trace_err files): a 400/401/403/407 here means the
    digest was refused, e.g. a digest uri that is not the Request-URI, unless it answers CSeq 1: then
    it is a second challenge to a retransmitted first request (overload), counted apart. Late copies of
    a final answer to a call that already ended ("Dead call ... (successful)") are not counted."""
    codes = collections.Counter()
    for f in glob.glob(os.path.join(run_dir, '*_errors.log')):
        # one entry per event, each starting with a date and time (entries quote whole messages)
        for entry in re.split(r'\d{4}-\d\d-\d\d\t\d\d:\d\d:\d\d\.\d+\t', open(f, errors='replace').read()):
            m = re.search(r"received 'SIP/2\.0 (\d{3})", entry)
            if m and 'Dead call' not in entry:
                first = re.search(r'(?im)^\s*CSeq:\s*1\s', entry) is not None
                codes[m.group(1) + (' to CSeq 1' if first else '')] += 1
    return codes


def unexpected_note(run_dir):
    codes = unexpected_answers(run_dir)
    return ('  unexpected answers: ' + ', '.join(f'{n} x {c}' for c, n in sorted(codes.items()))) if codes else ''


class Bench:
    def __init__(self, args, users, work):
        self.args = args
        self.users = users
        self.work = work
        self.runs = 0

    def run_dir(self, server, sc):
        self.runs += 1
        d = os.path.join(self.work, 'runs', f'{self.runs:03d}-{server.name}-{sc}')
        os.makedirs(d)
        return d

    # B, C, D: one SIPp call per request pair, started at the target rate.
    def call_step(self, server, sc, rate, seconds, extra):
        d = self.run_dir(server, sc)
        scenario, inf = extra['scenario'], extra['csv'](d)
        n = max(20, round(rate * seconds))
        cmd = sipp_cmd(server, scenario, extra['auth_uri']) + ['-inf', inf, '-r', str(rate), '-m', str(n), '-l', str(max(50, 2 * rate)),
                                            '-timeout', f'{seconds + 10:.0f}s'] + extra.get('options', [])
        # a call not answered 10 s after the last one started counts as failed (p99 < 1 s fails anyway)
        run(cmd, d, 'sipp.out', seconds + 30)
        latencies, firsts = [], []
        for line in log_lines(d, scenario):
            f = line.split()
            if len(f) >= 5 and f[0] == 'T':
                latencies.append(stamp(f[3], f[4]) - stamp(f[1], f[2]))
            elif len(f) >= 5 and f[0] == 'F':
                firsts.append(stamp(f[1], f[2]))
        ok = len(latencies)
        achieved = ok / (max(firsts) - min(firsts) + 1.0 / rate) if firsts else 0.0
        return Step(rate, 1.0 - ok / n, achieved, latencies, note=unexpected_note(d), answered=ok)

    # E1, E2: presentities publish at the target rate in all; each watcher answers its NOTIFYs.
    def publish_step(self, server, sc, rate, seconds, extra):
        d = self.run_dir(server, sc)
        presentities, watchers_each, notify_log = extra['presentities'], extra['watchers_each'], extra['notify_log']
        period_ms = 1000.0 * len(presentities) / rate
        loops = max(2 if len(presentities) == 1 else 1, math.ceil(seconds * rate / len(presentities)))
        offset = os.path.getsize(notify_log) if os.path.exists(notify_log) else 0
        # one process per presentity (its Request-URI is the -auth_uri); their first modifying PUBLISHes are
        # due 1/rate s apart from a common start (after all have started and published once), so that the
        # PUBLISHes are spread evenly over one period
        lead = 2.0 + 0.2 * len(presentities)
        first_due = time.time() + lead
        cmds = []
        for i, p in enumerate(presentities):
            inf = write_csv(os.path.join(d, f'presentity-{p}.csv'), [(p, auth_keyword(p))])
            cmds.append(sipp_cmd(server, 'publish_uac_auth', uri(p)) + [
                '-inf', inf, '-m', '1', '-l', '1',
                '-key', 'loops', str(loops), '-key', 'period_ms', f'{period_ms:.3f}',
                '-key', 'first_due_ms', f'{1000 * (first_due + i / rate):.3f}',
                '-timeout', f'{lead + loops * period_ms / 1000 + 20:.0f}s'])
        run_all(cmds, d, 'sipp', lead + loops * period_ms / 1000 + 40)
        # SIPp's clock ticks per loop: PUBLISHes of different presentities may share a stamp (E2)
        sends, published = {}, collections.Counter()
        for line in log_lines(d, 'publish_uac_auth'):
            f = line.split()
            if len(f) >= 5 and f[0] == 'T':
                key = (float(f[1]), float(f[2]))
                sends[key] = stamp(f[1], f[2])
                published[key] += 1
        notified = settle_and_read(notify_log, offset)
        received = {}
        for line in notified:
            f = line.split()
            # N <call-id> TS <publish s> <publish us> <received s> <received us>
            if len(f) >= 7 and f[0] == 'N' and f[2] == 'TS':
                key = (float(f[3]), float(f[4]))
                if key in sends:
                    per_watcher = received.setdefault(key, {})
                    t = stamp(f[5], f[6])
                    per_watcher[f[1]] = min(t, per_watcher.get(f[1], t))
        expected_pub, got_pub = len(presentities) * loops, sum(published.values())
        got_notify = sum(min(len(v), published[k] * watchers_each) for k, v in received.items())
        expected_notify = got_pub * watchers_each
        latencies = [max(v.values()) - sends[k] for k, v in received.items()]
        missing = max((expected_pub - got_pub) / expected_pub,
                      (expected_notify - got_notify) / expected_notify if expected_notify else 1.0)
        times = sorted(sends.values())
        achieved = got_pub / (times[-1] - times[0] + 1.0 / rate) if times else 0.0
        delivered = got_notify / expected_notify if expected_notify else 0.0
        shown = achieved * watchers_each * delivered
        return Step(rate, missing, achieved, latencies, shown_rate=shown, answered=got_pub,
                    note=f'  ({got_pub}/{expected_pub} PUBLISH, {got_notify}/{expected_notify} NOTIFY'
                         f', {shown:.0f} NOTIFY/s)' + unexpected_note(d))

    def search(self, server, sc, step_fn, extra, start_rate, goal_rate=None):
        """The best passing step, or None; and with goal_rate, the step at that rate or None.

        The goal's step runs where the doubling first passes goal_rate: after the lower steps (which warm the JIT
        for it) and before any step beyond it (whose overload would count against it)."""
        a = self.args
        tried = []
        at_goal = None

        def goal_step():
            nonlocal at_goal
            settle(server.port)
            at_goal = step_fn(server, sc, goal_rate, a.seconds, extra)
            log(f'  {server.name:<11} {sc:<3} {at_goal.line()}  (the goal\'s rate)')

        def at(rate):
            rate = max(1, int(round(rate)))
            settle(server.port)
            s = step_fn(server, sc, rate, a.seconds, extra)
            tried.append(s)
            log(f'  {server.name:<11} {sc:<3} {s.line()}')
            return s

        best, failed_at, rate = None, None, start_rate
        while len(tried) < a.max_steps and rate <= a.max_rate:
            if goal_rate and at_goal is None and rate > goal_rate:
                goal_step()
            s = at(rate)
            if not s.passed:
                failed_at = rate
                break
            best, rate = s, rate * 2
        if best is None:  # even the start rate failed: step down a few times
            rate = start_rate
            while best is None and rate > 1 and len(tried) < a.max_steps + 3:
                rate = rate / 2
                s = at(rate)
                if s.passed:
                    best = s
        elif failed_at is not None:  # refine between the best pass and the first failure
            rate = best.target * a.factor
            while round(rate) < failed_at and len(tried) < a.max_steps:
                s = at(rate)
                if not s.passed:
                    break
                best, rate = s, rate * a.factor
        if best is not None and a.confirm:
            confirmations = [at(best.target) for _ in range(a.confirm)]
            if not all(c.passed for c in confirmations):
                lower = [s for s in tried if s.passed and s.target < best.target]
                log(f'  {server.name} {sc}: {best.target}/s not confirmed, reporting the next lower passing rate')
                best = max(lower, key=lambda s: s.target) if lower else None
        if goal_rate and at_goal is None:
            goal_step()
        return best, at_goal

    # ---------------------------------------------------------- one scenario against one server

    def scenario(self, server, sc, warm, goal_rate=None):
        """The rate search; with goal_rate (requests or PUBLISHes per second), one step at it too (see search).

        Returns (best passing step or None, the goal step or None)."""
        a = self.args
        begin = a.start[sc]
        warm_rate = max(1, begin // 2)  # warm, not overload: a backlog would spill into the first step
        # B, C, D: calls from SIPp senders; E1, E2: PUBLISHes to subscribed watchers.
        setup, step = (self.call_setup, self.call_step) if sc in ('B', 'C', 'D') else (self.publish_setup, self.publish_step)
        extra, cleanup = setup(server, sc)
        try:
            if warm:
                log(f'  {server.name:<11} {sc:<3} JIT warm-up: {a.warmup:g} s at {warm_rate}/s (not counted)')
                step(server, sc, warm_rate, a.warmup, extra)
            return self.search(server, sc, step, extra, begin, goal_rate)
        finally:
            cleanup()

    def publish_setup(self, server, sc):
        """E1, E2: the watchers' SIPp (answering NOTIFYs) and their subscriptions, all seen active."""
        a, u = self.args, self.users
        presentities = ['p0'] if sc == 'E1' else u.presentities
        watchers = [(w, 'p0') for w in u.watchers] if sc == 'E1' else list(zip(u.watchers, u.presentities))
        d = self.run_dir(server, sc + '-watchers')
        notify_port = free_port()
        notify = start(['sipp', '-sf', os.path.join(SCENARIO_DIR, 'notify_uas.xml'), '-i', HOST, '-p', str(notify_port),
                        '-nostdin', '-trace_logs', '-buff_size', '4194304', '-timeout', f'{a.e_budget}s'],
                       d, 'notify.out')
        try:
            # one SUBSCRIBE process per presentity: the Request-URI (and so the -auth_uri) is the presentity
            cmds = []
            for p in presentities:
                mine = [(w, q, f'{HOST}:{notify_port}', auth_keyword(w)) for w, q in watchers if q == p]
                inf = write_csv(os.path.join(d, f'watchers-{p}.csv'), mine)
                cmds.append(sipp_cmd(server, 'subscribe_uac_auth', uri(p)) + [
                    '-inf', inf, '-m', str(len(mine)), '-l', str(len(mine)), '-r', str(min(200, len(mine))),
                    '-timeout', '180s'])
            run_all(cmds, d, 'subscribe', 240)
            note = unexpected_note(d)
            if note:
                log(f'  {server.name:<11} {sc:<3} SUBSCRIBE:{note}')
            notify_log = os.path.join(d, f'notify_uas_{notify.pid}_logs.log')  # SIPp names it by its pid
            active = wait_for_watchers(notify_log, len(watchers))
            log(f'  {server.name:<11} {sc:<3} {active}/{len(watchers)} watchers subscribed (initial NOTIFY seen)')
        except BaseException:
            stop(notify, grace=5)
            raise
        return ({'presentities': presentities, 'watchers_each': len(watchers) // len(presentities),
                 'notify_log': notify_log}, lambda: stop(notify, grace=5))

    def call_setup(self, server, sc):
        u = self.users
        if sc == 'B':
            dead = f'{HOST}:{free_port()}'  # a contact nobody listens on: nothing is sent to it
            return {'scenario': 'register_uac_auth', 'auth_uri': uri(), 'csv': lambda d: write_csv(
                os.path.join(d, 'users.csv'), [(x, dead, auth_keyword(x)) for x in u.registering])}, lambda: None
        if sc == 'D':
            # every MESSAGE to the one offline user: the same Request-URI, so one -auth_uri
            rows = [(x, auth_keyword(x), u.offline[0]) for x in u.senders]
            return {'scenario': 'message_offline_uac_auth', 'auth_uri': uri(u.offline[0]),
                    'csv': lambda d: write_csv(os.path.join(d, 'offline.csv'), rows)}, lambda: None
        # C: the sink phone answers 200 to every MESSAGE; it registers as user "sink" first
        d = self.run_dir(server, 'C-sink')
        sink_port = free_port()
        sink = start(['sipp', '-sf', os.path.join(SCENARIO_DIR, 'message_uas.xml'), '-i', HOST, '-p', str(sink_port),
                      '-nostdin', '-buff_size', '4194304', '-timeout', f'{self.args.e_budget}s'], d, 'sink.out')
        inf = write_csv(os.path.join(d, 'sink.csv'), [('sink', f'{HOST}:{sink_port}', auth_keyword('sink'))])
        run(sipp_cmd(server, 'register_uac_auth', uri()) + ['-inf', inf, '-m', '1', '-timeout', '30s'], d, 'register.out', 40)
        if not any(line.startswith('T ') for line in log_lines(d, 'register_uac_auth')):
            stop(sink)
            raise SystemExit(f'compare: the sink phone could not register at {server.name} (see {d})')
        return {'scenario': 'message_uac_auth', 'options': ['-s', 'sink'], 'auth_uri': uri('sink'),
                'csv': lambda rd: write_csv(os.path.join(rd, 'senders.csv'),
                                            [(x, auth_keyword(x)) for x in u.senders])}, lambda: stop(sink, grace=5)


def settle_and_read(path, offset, quiet=2.0, limit=30.0):
    """Waits until the NOTIFY log has stopped growing (late NOTIFYs, retransmissions), then reads it."""
    began, last_size, last_change = time.time(), -1, time.time()
    while time.time() - began < limit:
        size = os.path.getsize(path) if os.path.exists(path) else 0
        if size != last_size:
            last_size, last_change = size, time.time()
        elif time.time() - last_change >= quiet:
            break
        time.sleep(0.25)
    if not os.path.exists(path):
        return []
    with open(path, errors='replace') as f:
        f.seek(offset)
        return f.read().splitlines()


def wait_for_watchers(path, n, limit=120.0):
    """How many distinct dialogs got their first NOTIFY, waiting (bounded) until all did or none came for 10 s."""
    began, seen, last_change = time.time(), 0, time.time()
    while time.time() - began < limit:
        dialogs = set()
        if os.path.exists(path):
            for line in open(path, errors='replace'):
                f = line.split()
                if len(f) >= 2 and f[0] == 'N':
                    dialogs.add(f[1])
        if len(dialogs) != seen:
            seen, last_change = len(dialogs), time.time()
        if seen >= n or time.time() - last_change > 10:
            break
        time.sleep(0.5)
    return seen


# ---------------------------------------------------------------- table

def table(results, scenarios, users, command):
    head = f'{"scenario":<22} {"Kamailio":>12} {"p99":>9}   {"Switchboard":>12} {"p99":>9}   {"ratio":>6}'
    lines = [head, '-' * len(head)]
    for sc in scenarios:
        k, s = results.get(('Kamailio', sc)), results.get(('Switchboard', sc))
        title = TITLES[sc].format(n=len(users.watchers), p=len(users.presentities))

        def cell(server):
            if (server, sc) not in results:
                return f'{"not run":>12}', f'{"":>9}'
            r = results[(server, sc)]
            return (f'{r.rate:>10.0f}/s', f'{ms(r.p99):>9}') if r else (f'{"none":>12}', f'{"":>9}')
        kr, kp = cell('Kamailio')
        sr, sp = cell('Switchboard')
        ratio = f'{s.rate / k.rate:6.2f}' if k and s and k.rate > 0 else f'{"n/a":>6}'
        lines.append(f'{title:<22} {kr:>12} {kp}   {sr:>12} {sp}   {ratio}')
    lines.append('')
    lines.append('E1/E2 p99: from sending a PUBLISH to the last watcher receiving its NOTIFY.')
    lines.append('B/C/D p99: the request carrying the credentials, from send to final response.')
    lines.append(f'command: {command}')
    return '\n'.join(lines)


def goal_target(sc, kamailio):
    """The rate of Switchboard's goal step, in the search's unit (requests or PUBLISHes per second)."""
    return max(1, math.ceil(GOALS[sc][0] * kamailio.achieved)) if kamailio else None


def goal_table(goals, scenarios):
    """Switchboard at the goal's rate: did it pass, and was its p99 under the goal's."""
    title = "at the goal's rate"
    head = (f'{title:<22} {"x Kamailio":>10} {"target":>9} {"achieved":>10} {"failed":>8} '
            f'{"p99":>8} {"goal p99":>9}   verdict')
    lines = [head, '-' * len(head)]
    for sc in scenarios:
        g = goals.get(sc)
        if g is None:
            continue
        multiple, p99_goal = GOALS[sc]
        met = g.passed and (p99_goal is None or g.p99 < p99_goal)
        lines.append(f'{sc:<22} {multiple:>9g}x {g.target:>7}/s {g.achieved:>8.0f}/s {100 * g.failed:>6.2f} % '
                     f'{ms(g.p99):>8} {ms(p99_goal) if p99_goal else "-":>9}   {"met" if met else "not met"}')
    lines.append('(target in the search\'s unit: requests/s; E1, E2: PUBLISH/s, from Kamailio\'s achieved rate)')
    return '\n'.join(lines)


def parse_args(argv):
    p = argparse.ArgumentParser(prog='bench/compare.sh', description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--scenarios', default=','.join(ALL_SCENARIOS), help='comma-separated subset of B,C,D,E1,E2')
    p.add_argument('--quick', action='store_true',
                   help='short steps, few users, coarse search: a few minutes (default: the full run)')
    p.add_argument('--seconds', type=float, help='length of one rate step (quick 4, full 20)')
    p.add_argument('--warmup', type=float, help="Switchboard's JIT warm-up per scenario, s (quick 10, full 30)")
    p.add_argument('--users', type=int, help='B users, E watchers and E2 presentities (quick 50, full 1000)')
    p.add_argument('--senders', type=int, help='C and D senders (quick 10, full 100)')
    p.add_argument('--e2-presentities', type=int,
                   help='E2 presentities, one SIPp publisher and one watcher each (quick 10, full 20; at most --users)')
    p.add_argument('--start', default='', help='start rates, e.g. B=400,C=200 (E1, E2: PUBLISH/s)')
    p.add_argument('--factor', type=float, help='refining factor after doubling (quick 1.4, full 1.25)')
    p.add_argument('--confirm', type=int, help='extra runs at the best rate (quick 0, full 2)')
    p.add_argument('--max-steps', type=int, default=12, help='rate steps per search at most (default 12)')
    p.add_argument('--max-rate', type=float, default=40000, help='never try above this rate (default 40000)')
    p.add_argument('--only', choices=['kamailio', 'switchboard'], help='run against one server only')
    p.add_argument('--jfr', help="record a JFR profile of Switchboard for the whole run into this file")
    p.add_argument('--jar', help='the Switchboard jar to run (default: server/target/switchboard.jar), e.g. an older build')
    p.add_argument('--data', help='start Switchboard on a copy of this data dir, whose users are there already '
                   '(bench/scale.sh writes one); no import')
    p.add_argument('--keep', action='store_true', help='keep the temp dir (logs, SIPp traces, stores)')
    a = p.parse_args(argv)
    a.scenarios = [s.strip().upper() for s in a.scenarios.split(',') if s.strip()]
    for s in a.scenarios:
        if s not in ALL_SCENARIOS:
            p.error(f'--scenarios: unknown scenario {s} (one of {",".join(ALL_SCENARIOS)})')
    q = a.quick
    a.seconds = a.seconds or (4 if q else 20)
    a.warmup = a.warmup if a.warmup is not None else (10 if q else 30)
    a.users = a.users or (50 if q else 1000)
    a.senders = a.senders or (10 if q else 100)
    a.e2_presentities = a.e2_presentities or (10 if q else 20)
    a.factor = a.factor or (1.4 if q else 1.25)
    a.confirm = a.confirm if a.confirm is not None else (0 if q else 2)
    start_rates = dict(QUICK_START if q else FULL_START)
    for item in filter(None, a.start.split(',')):
        key, _, value = item.partition('=')
        if key.strip().upper() not in start_rates or not value.strip().isdigit():
            p.error(f'--start: expected SCENARIO=RATE, got {item}')
        start_rates[key.strip().upper()] = int(value)
    a.start = start_rates
    if a.factor <= 1.0 or a.seconds <= 0 or a.users < 1 or a.senders < 1 or a.e2_presentities < 1:
        p.error('--factor must be > 1, --seconds, --users, --senders and --e2-presentities > 0')
    # bound for the long-lived SIPp phones (sink, watchers) of one scenario
    a.e_budget = int((a.max_steps + 3 + a.confirm) * (a.seconds + 45) + a.warmup + 300)
    return a


def main(argv):
    global JAR
    args = parse_args(argv)
    if args.jar:
        JAR = os.path.abspath(args.jar)
        log(f'compare: jar {JAR}')
    command = os.environ.get('COMPARE_COMMAND') or ' '.join(['bench/compare.py'] + [shlex.quote(x) for x in argv])
    work = tempfile.mkdtemp(prefix='switchboard-compare-')
    log(f'compare: work dir {work}; scenarios {",".join(args.scenarios)}; {args.seconds:g} s per step; '
        f'{args.users} users per group, {args.senders} senders, E2 {min(args.users, args.e2_presentities)}x1; start rates '
        + ', '.join(f'{s}={args.start[s]}' for s in args.scenarios))

    stop_on_signals('compare')

    users = Users(args.users, args.senders, args.e2_presentities, args.scenarios)
    servers = []
    if args.only != 'switchboard':
        servers.append(Kamailio(work, users))
    if args.only != 'kamailio':
        java_opts = shlex.split(os.environ.get('JAVA_OPTS', '-Xms512m -Xmx2g'))
        servers.append(Switchboard(work, users, java_opts, args.jfr, args.data and os.path.abspath(args.data)))
    bench = Bench(args, users, work)
    results, goals = {}, {}
    began = time.time()
    try:
        for server in servers:
            server.start()
        for sc in args.scenarios:
            log(f'{TITLES[sc].format(n=len(users.watchers), p=len(users.presentities))}:')
            for server in servers:
                # Kamailio runs first: with both, Switchboard's goal step is at a multiple of its best
                target = goal_target(sc, results.get(('Kamailio', sc))) if isinstance(server, Switchboard) else None
                results[(server.name, sc)], at_goal = bench.scenario(server, sc, warm=isinstance(server, Switchboard),
                                                                     goal_rate=target)
                if at_goal is not None:
                    goals[sc] = at_goal
    finally:
        for server in servers:
            server.stop()
        stop_all()
        if args.keep:
            log(f'compare: kept {work}')
        else:
            shutil.rmtree(work, ignore_errors=True)
    log(f'\ncompare: done in {(time.time() - began) / 60:.1f} min, on {os.cpu_count()} cores '
        f'(load average now {os.getloadavg()[0]:.1f}), Switchboard on {java_version()}\n')
    log(table(results, args.scenarios, users, command))
    if goals:
        log('')
        log(goal_table(goals, args.scenarios))


def java_version():
    """The first line of `JAVA -version`: which JDK ran Switchboard (server/java.sh picks it)."""
    out = subprocess.run([JAVA, '-version'], capture_output=True, text=True)
    return (out.stderr or out.stdout).splitlines()[0] if (out.stderr or out.stdout) else JAVA


if __name__ == '__main__':
    main(sys.argv[1:])
