"""The API on a real uvicorn server in a thread, on a free loopback port (tests, bench/api.py)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn


@contextmanager
def uvicorn_thread(app: Any) -> Iterator[tuple[uvicorn.Server, int]]:
    """The server and its port, once it serves or its thread has died (the caller checks
    `server.started`); stopped and its socket closed on the way out."""
    # IPPROTO_TCP spelled out: asyncio sets TCP_NODELAY only on sockets whose proto says TCP,
    # and without it every keep-alive response waited ~40 ms for a delayed ACK.
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    listener.bind(("127.0.0.1", 0))
    port = int(listener.getsockname()[1])
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    try:
        # Started is set once the socket serves; the bound only keeps a broken start from hanging.
        for _ in range(600):
            if server.started or not thread.is_alive():
                break
            threading.Event().wait(0.05)
        yield server, port
    finally:
        server.should_exit = True
        thread.join(30)
        listener.close()
