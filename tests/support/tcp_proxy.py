"""A TCP proxy that a test can cut and restore: a database, a broker or an API
"goes away" for a while without touching the real server behind it."""

from __future__ import annotations

import socket
import struct
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from enum import StrEnum


class ProxyMode(StrEnum):
    FORWARD = "forward"
    REFUSE = "refuse"
    """New connections are reset at once; the open ones are cut."""
    HANG = "hang"
    """New connections are accepted and never answered (the client times out); the open ones are cut."""


def _reset(sock: socket.socket) -> None:
    """Close with a TCP reset (SO_LINGER 0), as a crashed server would."""
    with suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    with suppress(OSError):
        sock.close()


class TcpProxy:
    """Forwards 127.0.0.1:`port` to `target_host`:`target_port`, one thread per direction."""

    def __init__(self, target_host: str, target_port: int, port: int = 0) -> None:
        self.target = (target_host, target_port)
        self._listener = socket.create_server(("127.0.0.1", port), reuse_port=False)
        self.port: int = self._listener.getsockname()[1]
        self.mode = ProxyMode.FORWARD
        self.refused = 0
        self.held = 0
        self.cut_open = 0
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()
        self._held: set[socket.socket] = set()
        self._closed = threading.Event()
        self._thread = threading.Thread(target=self._accept_loop, name=f"tcp-proxy-{self.port}", daemon=True)
        self._thread.start()

    @property
    def faults(self) -> int:
        """Connections refused, held unanswered, or cut while open."""
        return self.refused + self.held + self.cut_open

    def cut(self, mode: ProxyMode = ProxyMode.REFUSE) -> None:
        """Stop forwarding: reset every open connection, then refuse or hang new ones."""
        with self._lock:
            self.mode = mode
            open_now, self._open = self._open, set()
        self.cut_open += len(open_now) // 2
        for sock in open_now:
            _reset(sock)

    def restore(self) -> None:
        """Forward again; connections held by a HANG are closed (their clients retry)."""
        with self._lock:
            self.mode = ProxyMode.FORWARD
            held, self._held = self._held, set()
        for sock in held:
            _reset(sock)

    def close(self) -> None:
        self._closed.set()
        with suppress(OSError):
            self._listener.close()
        self.restore()
        with self._lock:
            open_now, self._open = self._open, set()
        for sock in open_now:
            _reset(sock)

    def _accept_loop(self) -> None:
        while not self._closed.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                mode = self.mode
                if mode is ProxyMode.HANG:
                    self._held.add(client)
                    self.held += 1
            if mode is ProxyMode.REFUSE:
                self.refused += 1
                _reset(client)
            elif mode is ProxyMode.FORWARD:
                threading.Thread(target=self._connect, args=(client,), daemon=True).start()

    def _connect(self, client: socket.socket) -> None:
        try:
            upstream = socket.create_connection(self.target, timeout=5)
            upstream.settimeout(None)
        except OSError:
            _reset(client)
            return
        with self._lock:
            if self.mode is not ProxyMode.FORWARD:
                _reset(client)
                _reset(upstream)
                return
            self._open.update((client, upstream))
        for source, sink in ((client, upstream), (upstream, client)):
            threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while chunk := source.recv(65536):
                sink.sendall(chunk)
        except OSError:
            pass
        with self._lock:
            self._open.discard(source)
            self._open.discard(sink)
        for sock in (source, sink):
            with suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            with suppress(OSError):
                sock.close()


@contextmanager
def tcp_proxy(target_host: str, target_port: int) -> Iterator[TcpProxy]:
    """A proxy on a free port for the duration of the block."""
    proxy = TcpProxy(target_host, target_port)
    try:
        yield proxy
    finally:
        proxy.close()
