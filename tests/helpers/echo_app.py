"""An HTTP server that answers every request with one error status and repeats the request's
`Authorization` in the body, as a careless app or proxy does: whatever shows that body must mask it."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@contextmanager
def echoing_app(status: int = 500) -> Iterator[str]:
    """Serve until the block ends; yields the base URL."""

    class Handler(BaseHTTPRequestHandler):
        def _any(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            received = self.headers.get("Authorization", "")
            # `error` as an app's body says it, `message` as GitHub's does
            body = json.dumps({"error": "boom", "message": f"boom: {received}", "received": received}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = do_PATCH = do_DELETE = _any

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
