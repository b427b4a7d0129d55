"""An HTTP proxy in front of a real API that answers 500 for the first N calls."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx

from tests.support.processes import free_port


class FaultyProxy(ThreadingHTTPServer):
    def __init__(self, target: str, failures: int) -> None:
        super().__init__(("127.0.0.1", free_port()), _Handler)
        self.target = target.rstrip("/")
        self.failures_left = failures
        self.calls = 0
        self.lock = threading.Lock()
        # One client for every call: each new one loads the certificate authorities (a quarter
        # of a second of CPU), which made every proxied call that much slower.
        self.client = httpx.Client()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    server: FaultyProxy

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with self.server.lock:
            self.server.calls += 1
            fail = self.server.failures_left > 0
            if fail:
                self.server.failures_left -= 1
        if fail:
            self._reply(500, b'{"erreur": "panne simul\\u00e9e"}')
            return
        response = self.server.client.post(
            self.server.target + self.path,
            content=body,
            headers={k: v for k, v in self.headers.items() if k.lower() in {"authorization", "content-type"}},
        )
        self._reply(response.status_code, response.content)

    def _reply(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@contextmanager
def faulty_proxy(target: str, failures: int) -> Iterator[FaultyProxy]:
    proxy = FaultyProxy(target, failures)
    thread = threading.Thread(target=proxy.serve_forever, daemon=True)
    thread.start()
    try:
        yield proxy
    finally:
        proxy.shutdown()
        proxy.server_close()
        proxy.client.close()
