#!/usr/bin/env python3
"""A real TLS/HTTP client for TlsWebTest: each command prints one JSON object on stdout.

  versions HOST PORT CAFILE           handshake with TLS 1.1, 1.2 and 1.3 only, and with a CBC suite
  http HOST PORT CAFILE METHOD PATH [JSON|@FILE]   one request over verified TLS: status, headers, body
  plain HOST PORT                     a clear-text HTTP request to the TLS port: what comes back
  uploads HOST PORT CAFILE PATH MARKER COUNT SIZE   COUNT multipart posts (a SIZE-byte file holding
                                      MARKER) on one connection: status and body of each
"""
import http.client
import json
import socket
import ssl
import sys


def context(cafile):
    ctx = ssl.create_default_context(cafile=cafile)
    ctx.check_hostname = True
    return ctx


def handshake(host, port, cafile, version=None, ciphers=None):
    ctx = context(cafile)
    if version is not None:
        # The client must be able to offer old versions itself, so that a refusal is the server's.
        ctx.set_ciphers('DEFAULT:@SECLEVEL=0')
        ctx.minimum_version = version
        ctx.maximum_version = version
    if ciphers is not None:
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2
        ctx.set_ciphers(ciphers)
    try:
        with socket.create_connection((host, port), timeout=20) as raw:
            with ctx.wrap_socket(raw, server_hostname=host) as s:
                return {'ok': True, 'version': s.version(), 'cipher': s.cipher()[0]}
    except (ssl.SSLError, OSError) as e:
        return {'ok': False, 'error': str(e)}


def versions(host, port, cafile):
    port = int(port)
    return {
        'TLSv1.1': handshake(host, port, cafile, ssl.TLSVersion.TLSv1_1),
        'TLSv1.2': handshake(host, port, cafile, ssl.TLSVersion.TLSv1_2),
        'TLSv1.3': handshake(host, port, cafile, ssl.TLSVersion.TLSv1_3),
        'cbc': handshake(host, port, cafile, ciphers='ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES128-SHA'),
    }


def request(host, port, cafile, method, path, body=None):
    if body is not None and body.startswith('@'):
        with open(body[1:], 'rb') as f:
            body = f.read()
    conn = http.client.HTTPSConnection(host, int(port), context=context(cafile), timeout=20)
    headers = {'Content-Type': 'application/json'} if body is not None else {}
    conn.request(method, path, body=body, headers=headers)
    r = conn.getresponse()
    out = {'status': r.status, 'headers': [[k, v] for k, v in r.getheaders()], 'body': r.read().decode('utf-8', 'replace')}
    conn.close()
    return out


def plain(host, port):
    with socket.create_connection((host, int(port)), timeout=20) as s:
        s.sendall(b'GET /api/health HTTP/1.1\r\nHost: ' + host.encode() + b'\r\n\r\n')
        got = b''
        try:
            while len(got) < 4096:
                chunk = s.recv(4096)
                if not chunk:
                    break
                got += chunk
        except OSError as e:
            return {'received': got.decode('latin-1'), 'error': str(e)}
        return {'received': got.decode('latin-1')}


def uploads(host, port, cafile, path, marker, count, size):
    boundary = 'switchboard-test-boundary'
    content = (marker * (int(size) // len(marker) + 1))[:int(size)].encode()
    body = (('--' + boundary + '\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\n'
             'Content-Type: application/octet-stream\r\n\r\n').encode() + content
            + ('\r\n--' + boundary + '\r\nContent-Disposition: form-data; name="username"\r\n\r\n'
               + marker + '\r\n--' + boundary + '--\r\n').encode())
    conn = http.client.HTTPSConnection(host, int(port), context=context(cafile), timeout=30)
    answers = []
    for _ in range(int(count)):
        conn.request('POST', path, body=body, headers={'Content-Type': 'multipart/form-data; boundary=' + boundary})
        r = conn.getresponse()
        answers.append({'status': r.status, 'type': r.getheader('Content-Type'), 'body': r.read().decode('utf-8', 'replace')})
        if r.getheader('Connection', '').lower() == 'close':
            conn.close()
            conn = http.client.HTTPSConnection(host, int(port), context=context(cafile), timeout=30)
    conn.close()
    return {'answers': answers}


if __name__ == '__main__':
    cmd, args = sys.argv[1], sys.argv[2:]
    result = {'versions': versions, 'http': request, 'plain': plain, 'uploads': uploads}[cmd](*args)
    print(json.dumps(result))
