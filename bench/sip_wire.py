#!/usr/bin/env python3
"""SIP response times as the kernel saw them on loopback, not as a (possibly starved) client measured them.

    python3 bench/sip_wire.py PORT OUT.csv [METHOD]

Captures the UDP packets to and from PORT on `lo` (an AF_PACKET socket, root only), each stamped by the
kernel when it passed (SO_TIMESTAMPNS: a packet that waits in this socket's queue keeps its time), and
pairs each METHOD request (default OPTIONS) with its first final response by Call-ID and CSeq. Writes
one line per answered request: the request's time on the wire (epoch s) and the response time (ms).
Runs until SIGTERM or SIGINT; then writes the file and, on stderr, how many requests were answered.
Used by stall.sh: when SIPp reports a stall that the wire does not show, the stall is the client's.
"""
import signal
import socket
import struct
import sys

ETH_P_ALL = 0x0003
SO_TIMESTAMPNS = 35
PACKET_OUTGOING = 4

port, out = int(sys.argv[1]), sys.argv[2]
method = sys.argv[3] if len(sys.argv) > 3 else "OPTIONS"

sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
sock.bind(("lo", 0))
sock.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 32 << 20)
sock.settimeout(0.5)

sent = {}      # (call-id, cseq) -> request time
answered = []  # (request time, response time in ms)
running = True


def stop(*_):
    global running
    running = False


signal.signal(signal.SIGTERM, stop)
signal.signal(signal.SIGINT, stop)


def header(lines, *names):
    for line in lines:
        name, _, value = line.partition(":")
        if name.strip().lower() in names:
            return value.strip()
    return None


while running:
    try:
        data, ancillary, _, address = sock.recvmsg(65535, 64)
    except socket.timeout:
        continue
    except InterruptedError:
        continue
    if address[2] == PACKET_OUTGOING or len(data) < 42 or data[12:14] != b"\x08\x00" or data[23] != 17:
        continue  # each loopback packet is seen twice; IPv4 UDP only
    ihl = (data[14] & 0x0F) * 4
    udp = 14 + ihl
    src, dst = struct.unpack("!HH", data[udp:udp + 4])
    if port not in (src, dst):
        continue
    when = None
    for level, kind, value in ancillary:
        if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS:
            seconds, nanos = struct.unpack("qq", value[:16])
            when = seconds + nanos / 1e9
    if when is None:
        continue
    text = data[udp + 8:].decode("utf-8", "replace")
    lines = text.split("\r\n")
    key = (header(lines, "call-id", "i"), header(lines, "cseq"))
    if dst == port and lines[0].startswith(method + " "):
        sent.setdefault(key, when)  # a retransmission keeps the first time
    elif src == port and lines[0].startswith("SIP/2.0 ") and lines[0][8:9] in "23456" and key in sent:
        started = sent.pop(key)
        answered.append((started, (when - started) * 1000))

with open(out, "w") as f:
    for started, millis in sorted(answered):
        f.write("%.6f,%.3f\n" % (started, millis))
print("sip_wire: %d %s answered, %d unanswered" % (len(answered), method, len(sent)), file=sys.stderr)
