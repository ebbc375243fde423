"""A real SMTP server on loopback for the tests (aiosmtpd): prints READY once it listens, then one JSON
line per mail received (envelope, whether the session was upgraded by STARTTLS, who authenticated, the
message as sent). Optional STARTTLS (required when given) and AUTH (required when given) with one user.
Runs until killed.

usage: smtp_sink.py PORT [CERT KEY USER PASSWORD]
"""
import email
import email.policy
import json
import ssl
import sys
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Sink:
    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        body = message.get_body(preferencelist=("plain",))
        print(json.dumps({
            "subject": str(message["Subject"]),
            "headerFrom": str(message["From"]),
            "headerTo": str(message["To"]),
            "text": body.get_content() if body is not None else None,
            "from": envelope.mail_from,
            "to": envelope.rcpt_tos,
            "tls": session.ssl is not None,
            "login": session.auth_data if isinstance(session.auth_data, str) else None,
            "content": envelope.original_content.decode("utf-8", "replace"),
        }), flush=True)
        return "250 OK"


class OneUser:
    def __init__(self, user, password):
        self.user = user.encode()
        self.password = password.encode()

    def __call__(self, server, session, envelope, mechanism, auth_data):
        if isinstance(auth_data, LoginPassword) and auth_data.login == self.user and auth_data.password == self.password:
            return AuthResult(success=True, auth_data=self.user.decode())
        return AuthResult(success=False, handled=False)


def main():
    port = int(sys.argv[1])
    kwargs = {}
    if len(sys.argv) > 2:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(sys.argv[2], sys.argv[3])
        kwargs = dict(tls_context=context, require_starttls=True, authenticator=OneUser(sys.argv[4], sys.argv[5]),
                      auth_required=True, auth_require_tls=True)
    controller = Controller(Sink(), hostname="127.0.0.1", port=port, **kwargs)
    controller.start()
    print("READY", flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main()
