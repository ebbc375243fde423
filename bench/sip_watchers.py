#!/usr/bin/env python3
"""Many presence watchers on one UDP socket, for the AMI-to-NOTIFY benchmark; loopback only.

One SIPp process sends every request to one Request-URI (its digest `uri` is fixed per process, and
Switchboard insists that it names the Request-URI), so 1,000 watched users would take 1,000 SIPp
processes. This watcher subscribes to each user itself, answering the digest challenge per
Request-URI (RFC 2617, qop=auth), answers every NOTIFY 200 and writes, per watched user, when the
first NOTIFY saying "On the phone" arrived (wall clock, as ami_feeder.py writes its send times).

  sip_watchers.py SERVER_PORT DOMAIN USER PASSWORD WATCHED_FILE OUT_JSON READY_FILE DEADLINE_SECONDS

WATCHED_FILE: one username per line. READY_FILE is created once every subscription was accepted.
Ends when each watched user was seen on the phone, or at the deadline.
"""
import hashlib
import json
import os
import re
import socket
import sys
import time
import uuid

port, domain, user, password = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
watched = [line.strip() for line in open(sys.argv[5]) if line.strip()]
out_file, ready_file, deadline = sys.argv[6], sys.argv[7], time.time() + float(sys.argv[8])

server = ("127.0.0.1", port)
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
sock.bind(("127.0.0.1", 0))
local = "127.0.0.1:%d" % sock.getsockname()[1]
tag = uuid.uuid4().hex[:10]


def md5(text):
    return hashlib.md5(text.encode()).hexdigest()


class Watch:
    def __init__(self, target):
        self.target, self.call_id, self.cseq = target, uuid.uuid4().hex + "@" + domain, 0
        self.accepted, self.on_the_phone, self.to_tag, self.sent_at = False, None, "", 0.0

    def subscribe(self, expires, auth=None):
        self.cseq += 1
        uri = "sip:%s@%s" % (self.target, domain)
        lines = ["SUBSCRIBE %s SIP/2.0" % uri,
                 "Via: SIP/2.0/UDP %s;rport;branch=z9hG4bK%s" % (local, uuid.uuid4().hex),
                 "Max-Forwards: 70",
                 "From: <sip:%s@%s>;tag=%s" % (user, domain, tag),
                 "To: <%s>%s" % (uri, ";tag=" + self.to_tag if self.to_tag else ""),
                 "Call-ID: " + self.call_id, "CSeq: %d SUBSCRIBE" % self.cseq,
                 "Contact: <sip:%s@%s>" % (user, local), "Event: presence",
                 "Accept: application/pidf+xml", "Expires: %d" % expires]
        if auth:
            lines.append(auth)
        send("\r\n".join(lines + ["Content-Length: 0", "", ""]))
        self.sent_at = time.time()

    def credentials(self, challenge, header):
        params = dict(re.findall(r'(\w+)="?([^",]*)"?', challenge))
        uri = "sip:%s@%s" % (self.target, domain)
        cnonce, nc = uuid.uuid4().hex[:16], "00000001"
        ha1 = md5("%s:%s:%s" % (user, params["realm"], password))
        ha2 = md5("SUBSCRIBE:" + uri)
        response = md5(":".join([ha1, params["nonce"], nc, cnonce, "auth", ha2]))
        opaque = ', opaque="%s"' % params["opaque"] if "opaque" in params else ""
        return ('%s: Digest username="%s", realm="%s", nonce="%s", uri="%s", response="%s", '
                'algorithm=MD5, qop=auth, nc=%s, cnonce="%s"%s') % (
                    header, user, params["realm"], params["nonce"], uri, response, nc, cnonce, opaque)


def send(text):
    sock.sendto(text.encode(), server)


def header(msg, name):
    m = re.search(r"^%s:\s*(.*)$" % name, msg, re.M | re.I)
    return m.group(1).strip() if m else ""


def answer_ok(msg):
    head = msg.split("\r\n\r\n", 1)[0].split("\r\n")
    keep = [h for h in head[1:] if re.match(r"(?i)(via|from|to|call-id|cseq):", h)]
    send("\r\n".join(["SIP/2.0 200 OK"] + keep + ["Content-Length: 0", "", ""]))


watches = {w.call_id: w for w in (Watch(t) for t in watched)}
pending = list(watches.values())
sock.settimeout(0.05)
ready = False
while time.time() < deadline:
    # At most 100 new subscriptions outstanding, so that a burst does not drown the server's queue.
    while pending and sum(1 for w in watches.values() if w.sent_at and not w.accepted) < 100:
        pending.pop().subscribe(3600)
    try:
        data, _ = sock.recvfrom(65535)
    except socket.timeout:
        for w in watches.values():  # retransmit what got no answer (UDP)
            if w.sent_at and not w.accepted and time.time() - w.sent_at > 2:
                w.cseq -= 1
                w.subscribe(3600)
        continue
    now = time.time()
    msg = data.decode(errors="replace")
    w = watches.get(header(msg, "Call-ID"))
    if msg.startswith("NOTIFY"):
        answer_ok(msg)
        if w and w.on_the_phone is None and "<dm:note>On the phone" in msg:
            w.on_the_phone = now
    elif msg.startswith("SIP/2.0") and w:
        status = int(msg.split(" ", 2)[1])
        if status in (401, 407) and "SUBSCRIBE" in header(msg, "CSeq"):
            name = "WWW-Authenticate" if status == 401 else "Proxy-Authenticate"
            w.subscribe(3600, w.credentials(header(msg, name), "Authorization" if status == 401 else "Proxy-Authorization"))
        elif 200 <= status < 300 and not w.accepted:
            w.accepted = True
            m = re.search(r";tag=([^;>\s]+)", header(msg, "To"))
            w.to_tag = m.group(1) if m else ""
    if not ready and all(x.accepted for x in watches.values()):
        ready = True
        open(ready_file, "w").close()
    if ready and all(x.on_the_phone for x in watches.values()):
        break

json.dump({w.target: w.on_the_phone for w in watches.values() if w.on_the_phone}, open(out_file, "w"))
print("watchers: %d subscribed, %d accepted, %d saw on the phone" % (
    len(watches), sum(w.accepted for w in watches.values()), sum(bool(w.on_the_phone) for w in watches.values())))
