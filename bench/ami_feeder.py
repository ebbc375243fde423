#!/usr/bin/env python3
"""A test-side Asterisk for the AMI-to-NOTIFY benchmark, on loopback only.

Speaks AMI as the recordings in telephony/src/test/resources/ami/ do: the banner, Challenge and
Login accepted, CoreSettings, Ping and an idle CoreShowChannels answered from the recorded replies.
When the file GO appears it plays N simultaneous copies of the recorded answered call
(02-call-answered.ami, its `call` events only, as a manager user with read=call sees them), each
between its own pair of extensions, in three bursts: set-up (dialling and ringing), answer, and
hang-up. It writes when it sent each call's first set-up event and first answer event to TIMES
(JSON), which is what the benchmark measures the NOTIFYs against. With EVENTS_PER_SECOND set (in the
environment, > 0) each burst is paced instead: call after call, each call's events of that phase
together, at that many call events per second on average (the calls still all overlap: every call is
set up before the first is answered).

  ami_feeder.py PORT CALLS FIRST_EXTENSION GO TIMES [SETTLE_SECONDS]
"""
import json
import os
import re
import select
import socket
import sys
import time
import uuid

TRACES = os.path.join(os.path.dirname(__file__), "..", "telephony", "src", "test", "resources", "ami")


def blocks(name):
    with open(os.path.join(TRACES, name), encoding="utf-8", newline="") as f:
        text = f.read()
    banner, rest = text.split("\r\n", 1)
    return banner, [b for b in rest.split("\r\n\r\n") if b.strip()]


def field(block, name):
    m = re.search(r"^" + name + r": ?(.*)$", block, re.M)
    return m.group(1).strip() if m else None


def recorded_call():
    """The recorded call's events, split where the callee answers and where the hang-up starts."""
    _, all_blocks = blocks("02-call-answered.ami")
    call = [b for b in all_blocks if (field(b, "Privilege") or "").startswith("call")]
    answer = next(i for i, b in enumerate(call) if field(b, "Event") == "Newstate"
                  and field(b, "ChannelState") == "6" and (field(b, "Channel") or "").startswith("PJSIP/1002-"))
    hangup = next(i for i, b in enumerate(call) if field(b, "Event") in ("HangupRequest", "SoftHangupRequest", "BridgeLeave", "Hangup"))
    return call[:answer], call[answer:hangup], call[hangup:]


def for_call(block, k, caller, callee):
    """The recorded block, retold as call k between two other extensions with ids of its own."""
    b = block.replace("-00000000", "-%08x" % (2 * k)).replace("-00000001", "-%08x" % (2 * k + 1))
    b = b.replace("1795667655.0", "%d.0" % (1795000000 + k)).replace("1795667655.1", "%d.1" % (1795000000 + k))
    b = re.sub(r"(?<!\d)1001(?!\d)", caller, b)
    b = re.sub(r"(?<!\d)1002(?!\d)", callee, b)
    b = b.replace("CallerIDName: alice", "CallerIDName: u" + caller).replace("CallerIDName: bob", "CallerIDName: u" + callee)
    b = b.replace("ConnectedLineName: alice", "ConnectedLineName: u" + caller).replace("ConnectedLineName: bob", "ConnectedLineName: u" + callee)
    return re.sub(r"BridgeUniqueid: .*", "BridgeUniqueid: " + str(uuid.UUID(int=k + 1)), b)


class Actions:
    """The actions the client sends, read without blocking past a short poll."""

    def __init__(self, conn):
        self.conn, self.buffer = conn, b""

    def poll(self, seconds):
        """The next complete action, None when none arrived in time; raises EOFError when the client left."""
        while b"\r\n\r\n" not in self.buffer:
            ready, _, _ = select.select([self.conn], [], [], seconds)
            if not ready:
                return None
            data = self.conn.recv(65536)
            if not data:
                raise EOFError
            self.buffer += data
        raw, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        action = {}
        for line in raw.decode("utf-8", "replace").split("\r\n"):
            if ":" in line:
                key, value = line.split(":", 1)
                action[key.strip().lower()] = value.strip()
        return action


def reply(name, action_id):
    _, recorded = blocks(name)
    out = []
    for b in recorded:
        if field(b, "ActionID") in ("login-1", "logoff-1"):
            continue
        out.append(re.sub(r"^ActionID: .*$", "ActionID: " + action_id, b, flags=re.M))
    return "".join(b + "\r\n\r\n" for b in out)


def main():
    port, calls, first, go, times_file = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
    settle = float(sys.argv[6]) if len(sys.argv) > 6 else 5.0
    setup, answered, hangup = recorded_call()
    banner, _ = blocks("action-Ping.ami")
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", port))
    server.listen(1)
    server.settimeout(120)
    conn, _ = server.accept()
    conn.sendall((banner + "\r\n").encode())
    actions = Actions(conn)

    def answer(action):
        name, aid = action.get("action", "").lower(), action.get("actionid", "")
        if name == "challenge":
            out = "Response: Success\r\nActionID: %s\r\nChallenge: 123456789\r\n\r\n" % aid
        elif name == "login":
            out = "Response: Success\r\nActionID: %s\r\nMessage: Authentication accepted\r\n\r\n" % aid
            out += "Event: FullyBooted\r\nPrivilege: system,all\r\nUptime: 14\r\nLastReload: 14\r\nStatus: Fully Booted\r\n\r\n"
        elif name in ("coresettings", "ping"):
            out = reply("action-%s.ami" % ("CoreSettings" if name == "coresettings" else "Ping"), aid)
        elif name == "coreshowchannels":
            out = reply("action-CoreShowChannels-idle.ami", aid)
        else:
            out = "Response: Error\r\nActionID: %s\r\nMessage: Invalid/unknown command\r\n\r\n" % aid
        conn.sendall(out.encode())

    def wait(seconds):
        """Waits, answering the client's actions meanwhile (a Ping unanswered for 10 s ends the link)."""
        until = time.time() + seconds
        while time.time() < until:
            action = actions.poll(max(0.0, until - time.time()))
            if action is not None:
                answer(action)

    # Log in and answer the start-up actions; then wait for GO while answering Pings in between.
    while not os.path.exists(go):
        wait(0.05)

    pairs = [(str(first + 2 * k), str(first + 2 * k + 1)) for k in range(calls)]
    times = {"setup": {}, "answer": {}}

    rate = float(os.environ.get("EVENTS_PER_SECOND", "0") or 0)

    def burst(phase, part):
        started = time.time()
        for k, (caller, callee) in enumerate(pairs):
            if rate > 0:
                due = started + k * len(part) / rate
                if due > time.time():
                    wait(due - time.time())
            data = "".join(for_call(b, k, caller, callee) + "\r\n\r\n" for b in part).encode()
            if phase:
                times[phase][caller if phase == "setup" else callee] = time.time()
            conn.sendall(data)

    burst("setup", setup)
    wait(settle)
    burst("answer", answered)
    with open(times_file, "w") as out:
        json.dump(times, out)
    wait(settle)
    burst(None, hangup)
    wait(1)
    conn.close()


if __name__ == "__main__":
    main()
