"""Flask's own signed-cookie session behind the same path as this site's demo, for bench:http.

POST stores a counter in Flask's `session` (a cookie signed by itsdangerous, as the signed-cookie
lesson teaches); GET reads the session and answers it as JSON, the work this site's signed-cookie
demo GET does before it adds its own measurements. Served by gunicorn with sync workers:

    gunicorn -w 2 --chdir bench/http flask_session_app:app
"""

from flask import Flask, jsonify, session

app = Flask(__name__)
app.secret_key = "bench-http-secret-0123456789abcdef-0123456789"


@app.get("/api/demo/signed-cookie")
def read_session():
    return jsonify(status="ok" if session else "new", data=dict(session))


@app.post("/api/demo/signed-cookie")
def increment():
    session["counter"] = session.get("counter", 0) + 1
    return jsonify(status="ok", data=dict(session))
