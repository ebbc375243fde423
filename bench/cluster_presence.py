#!/usr/bin/env python3
"""Cross-node presence latency, loopback only: a watcher subscribes on one node to USER's presence, then
USER publishes ROUNDS times on another node (each round a new note, an If-Match refresh of the same
publication); per round, the time from the PUBLISH's 200 (the change accepted) to the watcher's NOTIFY
with that note on the wire. Digest (MD5, qop=auth) answered per request, as a phone does.

  cluster_presence.py WATCH_PORT PUBLISH_PORT DOMAIN WATCHER WATCHER_PW USER USER_PW ROUNDS OUT_JSON

Prints p50/p99/max in ms; writes every latency to OUT_JSON. Bounded: 5 s per round, 30 s to subscribe.
"""
import hashlib
import json
import re
import socket
import sys
import time
import uuid

watch_port, publish_port, domain = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
watcher, watcher_pw, user, user_pw = sys.argv[4], sys.argv[5], sys.argv[6], sys.argv[7]
rounds, out_file = int(sys.argv[8]), sys.argv[9]


def md5(text):
    return hashlib.md5(text.encode()).hexdigest()


def header(msg, name):
    m = re.search(r"^%s:\s*(.*)$" % name, msg, re.M | re.I)
    return m.group(1).strip() if m else ""


def status(msg):
    return int(msg.split(" ", 2)[1]) if msg.startswith("SIP/2.0") else 0


def credentials(challenge, who, pw, method, uri, hdr):
    p = dict(re.findall(r'(\w+)="?([^",]*)"?', challenge))
    cnonce, nc = uuid.uuid4().hex[:16], "00000001"
    ha1 = md5("%s:%s:%s" % (who, p["realm"], pw))
    response = md5(":".join([ha1, p["nonce"], nc, cnonce, "auth", md5("%s:%s" % (method, uri))]))
    opaque = ', opaque="%s"' % p["opaque"] if "opaque" in p else ""
    return ('%s: Digest username="%s", realm="%s", nonce="%s", uri="%s", response="%s", algorithm=MD5, '
            'qop=auth, nc=%s, cnonce="%s"%s') % (hdr, who, p["realm"], p["nonce"], uri, response, nc, cnonce, opaque)


class Agent:
    def __init__(self, port):
        self.server = ("127.0.0.1", port)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.local = "127.0.0.1:%d" % self.sock.getsockname()[1]

    def send(self, lines, body=""):
        self.sock.sendto("\r\n".join(lines + ["Content-Length: %d" % len(body.encode()), "", body]).encode(), self.server)

    def recv(self, until):
        self.sock.settimeout(max(0.001, until - time.time()))
        try:
            data, _ = self.sock.recvfrom(65535)
            return data.decode(errors="replace"), time.time()
        except socket.timeout:
            return None, time.time()


def request(agent, method, uri, who, pw, call_id, cseq, tag, extra, body, answer_notify=None):
    """Sends method (challenged once), returns the final response; NOTIFYs meanwhile go to answer_notify."""
    auth = None
    for attempt in range(2):
        lines = ["%s %s SIP/2.0" % (method, uri), "Via: SIP/2.0/UDP %s;rport;branch=z9hG4bK%s" % (agent.local, uuid.uuid4().hex),
                 "Max-Forwards: 70", "From: <sip:%s@%s>;tag=%s" % (who, domain, tag), "To: <%s>" % uri,
                 "Call-ID: " + call_id, "CSeq: %d %s" % (cseq + attempt, method)] + extra + ([auth] if auth else [])
        agent.send(lines, body)
        until = time.time() + 5
        while True:
            msg, at = agent.recv(until)
            if msg is None:
                raise SystemExit("%s: no answer" % method)
            if msg.startswith("NOTIFY") and answer_notify:
                answer_notify(msg, at)
                continue
            if header(msg, "Call-ID") != call_id or status(msg) < 200:
                continue
            if status(msg) in (401, 407) and auth is None:
                name = "WWW-Authenticate" if status(msg) == 401 else "Proxy-Authenticate"
                auth = credentials(header(msg, name), who, pw, method, uri,
                                   "Authorization" if status(msg) == 401 else "Proxy-Authorization")
                break
            return msg, at
    raise SystemExit("%s: refused twice" % method)


def ok(agent, msg):
    head = msg.split("\r\n\r\n", 1)[0].split("\r\n")
    agent.send(["SIP/2.0 200 OK"] + [h for h in head[1:] if re.match(r"(?i)(via|from|to|call-id|cseq):", h)])


w, p = Agent(watch_port), Agent(publish_port)
notes = {}
presentity = "sip:%s@%s" % (user, domain)


def on_notify(msg, at):
    ok(w, msg)
    m = re.search(r"<dm:note>(round-\d+)</dm:note>", msg)
    if m and m.group(1) not in notes:
        notes[m.group(1)] = at


sub, _ = request(w, "SUBSCRIBE", presentity, watcher, watcher_pw, uuid.uuid4().hex, 1, uuid.uuid4().hex[:8],
                 ["Contact: <sip:%s@%s>" % (watcher, w.local), "Event: presence", "Accept: application/pidf+xml",
                  "Expires: 600"], "", on_notify)
assert status(sub) in (200, 202), sub.split("\r\n")[0]


def pidf(note):
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<presence xmlns="urn:ietf:params:xml:ns:pidf" '
            'xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" entity="%s"><tuple id="b"><status><basic>open</basic>'
            '</status></tuple><dm:person id="p"><dm:note>%s</dm:note></dm:person></presence>' % (presentity, note))


latencies, etag, call_id, tag = [], None, uuid.uuid4().hex, uuid.uuid4().hex[:8]
for i in range(rounds):
    note = "round-%d" % i
    extra = ["Event: presence", "Expires: 600", "Content-Type: application/pidf+xml"] + (["SIP-If-Match: " + etag] if etag else [])
    resp, accepted = request(p, "PUBLISH", presentity, user, user_pw, call_id, 10 * i + 1, tag, extra, pidf(note))
    assert status(resp) == 200, resp.split("\r\n")[0]
    etag = header(resp, "SIP-ETag")
    until = time.time() + 5
    while note not in notes and time.time() < until:
        msg, at = w.recv(until)
        if msg and msg.startswith("NOTIFY"):
            on_notify(msg, at)
    if note in notes:
        latencies.append(max(0.0, notes[note] - accepted) * 1000)

json.dump(latencies, open(out_file, "w"))
latencies.sort()
pct = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] if latencies else float("nan")
print("rounds %d, notified %d, p50 %.2f ms, p99 %.2f ms, max %.2f ms" % (
    rounds, len(latencies), pct(0.5), pct(0.99), latencies[-1] if latencies else float("nan")))
