"""The small HTTP layer the stand-in's servers share: JSON responses on a threaded stdlib server."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

log = logging.getLogger("standin.http")


class JsonHandler(BaseHTTPRequestHandler):
    """A request handler that answers JSON and keeps connections alive (clients poll it)."""

    protocol_version = "HTTP/1.1"

    def send_json(self, status: int, body: Any, headers: Iterable[tuple[str, str]] = ()) -> None:
        data = b"" if body is None else json.dumps(body).encode("utf-8")
        self.send_response(status)
        if body is not None:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def log_message(self, format: str, *args: Any) -> None:
        log.info("%s %s", self.address_string(), format % args)


def make_server(handler: type[BaseHTTPRequestHandler], host: str, port: int) -> ThreadingHTTPServer:
    """A threaded server whose request threads never keep the process alive."""
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    return server


def serve_in_thread(handler: type[BaseHTTPRequestHandler], host: str, port: int) -> ThreadingHTTPServer:
    """Bind and serve on a daemon thread; the caller calls `shutdown()` when done."""
    server = make_server(handler, host, port)
    threading.Thread(target=server.serve_forever, name=f"http-{port}", daemon=True).start()
    return server
