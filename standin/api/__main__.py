"""`python -m standin.api`: serve the stand-in's HTTP API until SIGTERM or SIGINT."""

from __future__ import annotations

import logging
import signal
import sys
import threading
from types import FrameType

from standin.api.server import build_server
from standin.settings import SettingsError, StandinSettings


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    try:
        settings = StandinSettings.from_env(process="api")
        server = build_server(settings)
    except SettingsError as error:
        print(f"standin api: {error}", file=sys.stderr)
        return 2
    except OSError as error:  # most often another process already listens on the port
        print(f"standin api: cannot listen on {settings.host}:{settings.port}: {error.strerror}", file=sys.stderr)
        return 2

    def stop(_signum: int, _frame: FrameType | None) -> None:
        # shutdown() waits for serve_forever to return, so it must not run on the serving thread.
        threading.Thread(target=server.shutdown, daemon=True).start()

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, stop)
    host, port = server.server_address[:2]
    logging.getLogger("standin.api").info("listening on http://%s:%s", host, port)
    server.serve_forever()
    server.server_close()
    return 0


sys.exit(main())
