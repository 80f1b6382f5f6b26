"""Run a WSGI app for real on loopback in a background thread."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server


@dataclass
class ServerHandle:
    """A running server: its URL, port and a clean shutdown."""

    server: BaseWSGIServer
    thread: threading.Thread
    host: str
    port: int
    _stopped: bool = field(default=False, repr=False)

    @property
    def url(self) -> str:
        """The base URL (no trailing slash)."""
        return f"http://{self.host}:{self.port}"

    def shutdown(self) -> None:
        """Stop serving, join the thread and close the socket."""
        if self._stopped:
            return
        self._stopped = True
        self.server.shutdown()
        self.thread.join(timeout=5)
        self.server.server_close()

    def __enter__(self) -> ServerHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()


def serve_in_thread(app: Flask, host: str = "127.0.0.1", port: int = 0) -> ServerHandle:
    """Serve the app threaded in a daemon thread; port 0 picks a free port."""
    bind = "127.0.0.1" if host == "localhost" else host
    server = make_server(bind, port, app, threaded=True)
    # A short poll keeps shutdown() quick: tests start and stop a server per test.
    thread = threading.Thread(
        target=server.serve_forever,
        kwargs={"poll_interval": 0.05},
        name=f"serve-{host}",
        daemon=True,
    )
    thread.start()
    # `localhost` keeps its name so the platform and the tool are on different sites.
    return ServerHandle(server=server, thread=thread, host=host, port=server.server_port)
