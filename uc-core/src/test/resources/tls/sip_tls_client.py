#!/usr/bin/env python3
"""A SIP user agent over one TLS connection (Python's ssl module), driven by the tests.

Commands, one a line on stdin, each answered by one line on stdout:
  register [expires]  REGISTER (digest if challenged)   -> REGISTER <status> <contact-count>
  options             OPTIONS to the domain             -> OPTIONS <status> <Via sent-by of the answer>
  ping                RFC 5626 CRLFCRLF keep-alive      -> PONG | NOPONG
  receive             await a request, answer 200 OK    -> RECEIVED <method> <uri> | <top Via> | <body>
  peer                the server's certificate          -> PEER <serial hex> <TLS version>
  quit
"""
import argparse
import hashlib
import random
import re
import socket
import ssl
import sys
import time
import uuid

p = argparse.ArgumentParser()
p.add_argument("--port", type=int, required=True)
p.add_argument("--ca", required=True)
p.add_argument("--user", required=True)
p.add_argument("--password", required=True)
p.add_argument("--domain", required=True)
p.add_argument("--scheme", default="sip", choices=["sip", "sips"])
p.add_argument("--contact-port", type=int, required=True, help="a port nobody listens on: requests must come back over this connection")
a = p.parse_args()

ctx = ssl.create_default_context(cafile=a.ca)
ctx.minimum_version = ssl.TLSVersion.TLSv1_2
raw = socket.create_connection(("127.0.0.1", a.port), timeout=30)
conn = ctx.wrap_socket(raw, server_hostname="127.0.0.1")
local_port = conn.getsockname()[1]
buf = b""
queued = []
call_id = str(uuid.uuid4())
cseq = 0
tag = "%08x" % random.getrandbits(32)


def out(line):
    print(line, flush=True)


def read_more(deadline):
    global buf
    conn.settimeout(max(0.1, deadline - time.time()))
    data = conn.recv(65536)
    if not data:
        raise EOFError("connection closed")
    buf += data


def read_message(deadline):
    """The next SIP message as (start line, headers [(name, value)], body); leading CRLFs skipped."""
    global buf
    while True:
        buf = buf.lstrip(b"\r\n")
        end = buf.find(b"\r\n\r\n")
        if end >= 0:
            head = buf[:end].decode("utf-8")
            lines = head.split("\r\n")
            headers = []
            for line in lines[1:]:
                name, _, value = line.partition(":")
                headers.append((name.strip().lower(), value.strip()))
            length = int(next((v for n, v in headers if n in ("content-length", "l")), "0"))
            while len(buf) < end + 4 + length:
                read_more(deadline)
            body = buf[end + 4:end + 4 + length].decode("utf-8")
            buf = buf[end + 4 + length:]
            return lines[0], headers, body
        read_more(deadline)


def header(headers, name):
    return next((v for n, v in headers if n == name), None)


def send(text):
    conn.sendall(text.encode("utf-8"))


def via():
    return "SIP/2.0/TLS 127.0.0.1:%d;branch=z9hG4bK%s;rport" % (local_port, uuid.uuid4().hex[:16])


def response_to(method, extra=""):
    """Waits for the final response of our request; requests arriving meanwhile are kept for receive."""
    deadline = time.time() + 30
    while True:
        start, headers, body = read_message(deadline)
        if start.startswith("SIP/2.0 "):
            status = int(start.split()[1])
            if status >= 200:
                return status, headers
        else:
            queued.append((start, headers, body))


def request(method, uri, extra_headers=""):
    global cseq
    cseq += 1
    send("%s %s SIP/2.0\r\nVia: %s\r\nMax-Forwards: 70\r\nFrom: <%s:%s@%s>;tag=%s\r\nTo: <%s:%s@%s>\r\n"
         "Call-ID: %s\r\nCSeq: %d %s\r\n%sContent-Length: 0\r\n\r\n"
         % (method, uri, via(), a.scheme, a.user, a.domain, tag, a.scheme, a.user, a.domain, call_id, cseq, method,
            extra_headers))
    return response_to(method)


def digest(method, uri, challenge):
    fields = dict(re.findall(r'(\w+)="?([^",]*)"?', challenge))
    ha1 = hashlib.md5(("%s:%s:%s" % (a.user, fields["realm"], a.password)).encode()).hexdigest()
    ha2 = hashlib.md5(("%s:%s" % (method, uri)).encode()).hexdigest()
    if "qop" in fields:
        cnonce = uuid.uuid4().hex[:8]
        response = hashlib.md5(("%s:%s:00000001:%s:auth:%s" % (ha1, fields["nonce"], cnonce, ha2)).encode()).hexdigest()
        extra = ', qop=auth, nc=00000001, cnonce="%s"' % cnonce
    else:
        response = hashlib.md5(("%s:%s:%s" % (ha1, fields["nonce"], ha2)).encode()).hexdigest()
        extra = ""
    return ('Digest username="%s", realm="%s", nonce="%s", uri="%s", response="%s", algorithm=MD5%s'
            % (a.user, fields["realm"], fields["nonce"], uri, response, extra))


def register(expires):
    uri = "%s:%s" % (a.scheme, a.domain)
    if a.scheme == "sips":
        contact = "<sips:%s@127.0.0.1:%d>" % (a.user, a.contact_port)
    else:
        contact = "<sip:%s@127.0.0.1:%d;transport=tls>" % (a.user, a.contact_port)
    extra = "Contact: %s\r\nExpires: %s\r\n" % (contact, expires)
    status, headers = request("REGISTER", uri, extra)
    if status in (401, 407):
        challenge = header(headers, "www-authenticate") or header(headers, "proxy-authenticate")
        name = "Authorization" if status == 401 else "Proxy-Authorization"
        status, headers = request("REGISTER", uri, extra + "%s: %s\r\n" % (name, digest("REGISTER", uri, challenge)))
    out("REGISTER %d %d" % (status, sum(1 for n, _ in headers if n in ("contact", "m"))))


def receive():
    start, headers, body = queued.pop(0) if queued else read_message(time.time() + 30)
    if start.startswith("SIP/2.0 "):
        out("UNEXPECTED " + start)
        return
    vias = [v for n, v in headers if n in ("via", "v")]
    answer = "SIP/2.0 200 OK\r\n"
    for v in vias:
        answer += "Via: %s\r\n" % v
    for n in ("from", "to", "call-id", "cseq"):
        value = header(headers, n)
        if n == "to" and "tag=" not in value:
            value += ";tag=%08x" % random.getrandbits(32)
        answer += "%s: %s\r\n" % (n, value)
    send(answer + "Content-Length: 0\r\n\r\n")
    method, uri = start.split()[0], start.split()[1]
    out("RECEIVED %s %s | %s | %s" % (method, uri, vias[0] if vias else "", body.replace("\r\n", " ")))


def ping():
    global buf
    conn.sendall(b"\r\n\r\n")
    deadline = time.time() + 10
    try:
        while not buf.startswith(b"\r\n"):
            read_more(deadline)
        buf = buf[2:]
        out("PONG")
    except (socket.timeout, EOFError):
        out("NOPONG")


for command in sys.stdin:
    words = command.split()
    if not words:
        continue
    try:
        if words[0] == "register":
            register(words[1] if len(words) > 1 else "300")
        elif words[0] == "options":
            status, headers = request("OPTIONS", "%s:%s" % (a.scheme, a.domain))
            out("OPTIONS %d %s" % (status, header(headers, "via")))
        elif words[0] == "ping":
            ping()
        elif words[0] == "receive":
            receive()
        elif words[0] == "peer":
            der = conn.getpeercert(binary_form=False)
            out("PEER %s %s" % (der["serialNumber"].lower().lstrip("0"), conn.version()))
        elif words[0] == "quit":
            break
        else:
            out("UNKNOWN " + words[0])
    except Exception as e:  # the test reads the failure as the answer
        out("ERROR %s: %s" % (type(e).__name__, e))
conn.close()
