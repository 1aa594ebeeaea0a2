"""gunicorn settings, read from the working directory by every `gunicorn` we start (Dockerfile,
docker-compose, bench): request limits, and errors gunicorn answers itself in the API's JSON body."""

import json

from gunicorn import util

# A KPI query with every filter is under 1 KB; anything near these limits is garbage or an attack.
limit_request_line = 4094
limit_request_fields = 100
limit_request_field_size = 8190


def json_error(sock, status_int, reason, mesg):
    """Replaces gunicorn's HTML error page (414, 431, 400 ...): gunicorn answers before Django sees the path."""
    kind = "server_error" if status_int >= 500 else "client_error"
    code = reason.lower().replace(" ", "_")
    body = json.dumps({"type": kind, "errors": [{"code": code, "detail": mesg or reason, "attr": None}]}).encode()
    head = (
        f"HTTP/1.1 {status_int} {reason}\r\nConnection: close\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    util.write_nonblock(sock, head.encode("latin1") + body)


util.write_error = json_error
