"""Real Flask on the other end of tests/integration/flask-interop.test.ts.

Reads one JSON request per line on stdin and answers with one JSON line on stdout, so one
process serves a whole test file. Run it with Debian's python3 (python3-flask installed).

Values cross the pipe in a transport form that keeps Python's types apart: every JSON object is a
one-key wrapper, {"$dict": {...}}, {"$tuple": [...]}, {"$bytes": base64}, {"$markup": text},
{"$uuid": hex}, {"$datetime": unix seconds}, {"$float": repr}, {"$int": digits}; lists, strings,
booleans, null and small ints are themselves.

Requests ({"id": n, "op": ..., ...}):
  hello                                        versions, and whether Flask has SECRET_KEY_FALLBACKS
  mint  secret fallbacks now data              a real request sets the session; returns the cookie
  open  secret fallbacks now maxAge cookie     a real request reads the session; returns its data
  loads secret fallbacks now maxAge cookie     the signing serializer, with the reason it refused
  dumpsJson data                               Flask's tagged JSON text for the data
"""

import base64
import importlib.metadata
import json
import sys
import uuid
from datetime import datetime, timedelta, timezone
from unittest import mock

from flask import Flask, jsonify, request, session
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from markupsafe import Markup

NATIVE_FALLBACKS = "SECRET_KEY_FALLBACKS" in Flask.default_config
MAX_SAFE_INT = 2**53 - 1


class RotatingSessionInterface(SecureCookieSessionInterface):
    """Flask before 3.1 has no SECRET_KEY_FALLBACKS; build the serializer 3.1.1+ builds.

    itsdangerous signs with the last key and verifies newest first, so the current key goes
    last: keys = [*SECRET_KEY_FALLBACKS, SECRET_KEY].
    """

    def get_signing_serializer(self, app):
        fallbacks = app.config.get("SECRET_KEY_FALLBACKS") or []
        if NATIVE_FALLBACKS or not fallbacks:
            return super().get_signing_serializer(app)
        return URLSafeTimedSerializer(
            [*fallbacks, app.secret_key],
            salt=self.salt,
            serializer=self.serializer,
            signer_kwargs={
                "key_derivation": self.key_derivation,
                "digest_method": self.digest_method,
            },
        )


def make_app(req):
    app = Flask("flask_session_peer")
    app.secret_key = req["secret"]
    app.config["SECRET_KEY_FALLBACKS"] = req.get("fallbacks") or []
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(seconds=req.get("maxAge", 31 * 86400))
    app.session_interface = RotatingSessionInterface()

    @app.post("/mint")
    def mint():
        session.update(from_transport(request.get_json()))
        return ""

    @app.get("/read")
    def read():
        return jsonify(to_transport(dict(session)))

    return app


def frozen_clock(req):
    # itsdangerous reads the signing time and the current time from time.time().
    return mock.patch("time.time", return_value=float(req["now"]))


def op_hello(_req):
    return {
        "flask": importlib.metadata.version("flask"),
        "itsdangerous": importlib.metadata.version("itsdangerous"),
        "nativeFallbacks": NATIVE_FALLBACKS,
    }


def op_mint(req):
    app = make_app(req)
    with frozen_clock(req):
        response = app.test_client(use_cookies=False).post("/mint", json=req["data"])
    for header in response.headers.getlist("Set-Cookie"):
        name, _, rest = header.partition("=")
        if name == "session":
            return {"cookie": rest.split(";", 1)[0], "setCookie": header}
    raise RuntimeError("Flask set no session cookie")


def op_open(req):
    app = make_app(req)
    headers = {"Cookie": f"session={req['cookie']}"}
    with frozen_clock(req):
        response = app.test_client(use_cookies=False).get("/read", headers=headers)
    data = response.get_json()
    answer = {"data": data}
    if "expected" in req:
        answer["equal"] = strictly_equal(from_transport(data), from_transport(req["expected"]))
    return answer


def op_loads(req):
    app = make_app(req)
    with app.test_request_context(), frozen_clock(req):
        serializer = app.session_interface.get_signing_serializer(app)
        max_age = int(app.permanent_session_lifetime.total_seconds())
        try:
            data = serializer.loads(req["cookie"], max_age=max_age)
        except SignatureExpired as error:
            return {"status": "expired", "reason": str(error)}
        except BadSignature as error:
            return {"status": "bad-signature", "reason": str(error)}
        except Exception as error:  # BadPayload and friends: signed, but unreadable
            return {"status": "bad-payload", "reason": f"{type(error).__name__}: {error}"}
    answer = {"status": "ok", "data": to_transport(data)}
    if "expected" in req:
        answer["equal"] = strictly_equal(data, from_transport(req["expected"]))
    return answer


def op_dumps_json(req):
    app = make_app({"secret": "unused"})
    # Inside a context flask.json uses app.json (sort_keys=True), as it does when saving a session.
    with app.app_context():
        return {"text": app.session_interface.serializer.dumps(from_transport(req["data"]))}


OPS = {
    "hello": op_hello,
    "mint": op_mint,
    "open": op_open,
    "loads": op_loads,
    "dumpsJson": op_dumps_json,
}


def from_transport(value):
    if isinstance(value, list):
        return [from_transport(item) for item in value]
    if not isinstance(value, dict):
        return value
    ((kind, inner),) = value.items()
    if kind == "$dict":
        return {key: from_transport(item) for key, item in inner.items()}
    if kind == "$tuple":
        return tuple(from_transport(item) for item in inner)
    if kind == "$bytes":
        return base64.b64decode(inner)
    if kind == "$markup":
        return Markup(inner)
    if kind == "$uuid":
        return uuid.UUID(hex=inner)
    if kind == "$datetime":
        return datetime.fromtimestamp(inner, tz=timezone.utc)
    if kind == "$float":
        return float(inner)
    if kind == "$int":
        return int(inner)
    raise ValueError(f"unknown transport kind {kind!r}")


def to_transport(value):
    # Order matters: Markup is a str, bool is an int.
    if isinstance(value, Markup):
        return {"$markup": str(value)}
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return value if abs(value) <= MAX_SAFE_INT else {"$int": str(value)}
    if isinstance(value, float):
        return {"$float": repr(value)}
    if isinstance(value, dict):
        return {"$dict": {key: to_transport(item) for key, item in value.items()}}
    if isinstance(value, tuple):
        return {"$tuple": [to_transport(item) for item in value]}
    if isinstance(value, list):
        return [to_transport(item) for item in value]
    if isinstance(value, bytes):
        return {"$bytes": base64.b64encode(value).decode("ascii")}
    if isinstance(value, uuid.UUID):
        return {"$uuid": value.hex}
    if isinstance(value, datetime):
        return {"$datetime": int(value.timestamp())}
    raise TypeError(f"cannot transport {type(value).__name__}")


def strictly_equal(a, b):
    """== plus identical types all the way down: Python says (1,) != [1] but Markup("x") == "x"."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(strictly_equal(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(strictly_equal(x, y) for x, y in zip(a, b))
    return a == b


def main():
    for line in sys.stdin:
        if not line.strip():
            continue
        req = json.loads(line)
        try:
            answer = OPS[req["op"]](req)
        except Exception as error:
            answer = {"error": f"{type(error).__name__}: {error}"}
        answer["id"] = req.get("id")
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
