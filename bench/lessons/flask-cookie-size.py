"""Real Flask's session cookie for the cookie-size lesson's 3.9 KB session.

The session is what the lesson's demo builds with its "grow" button: an empty session padded
with random base64url text until its JSON is 3,900 bytes. Real Flask signs and compresses it
(Python's zlib), and this prints the size of the cookie's name + value over many sessions.

Run: npm run bench:flask   (needs Python 3 with Flask installed)
"""

import os
import platform
import secrets
import statistics
import sys
from datetime import datetime, timezone
from importlib.metadata import version

from flask import Flask
from flask.sessions import SecureCookieSessionInterface

RUNS = 200
SESSION_JSON_BYTES = 3_900


def grown_session():
    empty = len('{"padding":""}')
    room = SESSION_JSON_BYTES - empty
    return {"padding": secrets.token_urlsafe(room)[:room]}


def main():
    app = Flask(__name__)
    app.secret_key = "bench-secret-0123456789abcdef-0123456789"
    serializer = SecureCookieSessionInterface().get_signing_serializer(app)
    sizes = []
    compressed = 0
    for _ in range(RUNS):
        value = serializer.dumps(grown_session())
        compressed += value.startswith(".")
        sizes.append(len(app.config["SESSION_COOKIE_NAME"]) + len(value))
    print("Real Flask: a 3.9 KB session padded with random text, as a signed cookie")
    print(f"Date:    {datetime.now(timezone.utc).isoformat(timespec='seconds')}")
    print(f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores")
    print(f"Python:  {sys.version.split()[0]}, Flask {version('flask')}, itsdangerous {version('itsdangerous')}")
    print(
        f"{SESSION_JSON_BYTES} B of session JSON, {RUNS} sessions: name + value "
        f"{min(sizes)} to {max(sizes)} B, median {statistics.median(sizes):.0f} B; "
        f"zlib used in {compressed} of {RUNS}"
    )


if __name__ == "__main__":
    main()
