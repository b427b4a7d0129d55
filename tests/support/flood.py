"""A flood of websocket events, from a process of its own (`python -m tests.support.flood`).

Several sockets from one client address (an `X-Forwarded-For` header, believed when the
app trusts 127.0.0.1 as its proxy) send the same event as fast as they can. A socket the
server closes is replaced by a new one (a new tab token) until the address's socket budget
refuses them; refused connects are retried. It runs until SIGTERM (or `--events` sent in
all), then prints one JSON object: events sent, sockets opened, closed by the server,
refused. Its own process, so its event loop is not the measured tab's; and at the lowest
CPU priority: a remote attacker's CPU is not the server's, on this machine it has to be.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
import uuid
from dataclasses import asdict, dataclass
from typing import Any

import socketio

from tests.support.reflex_socket import EVENT_PATH, ROOT_STATE, open_socket

YIELD_EVERY = 25  # let the writer task flush now and then
MAX_QUEUED = 100  # packets waiting in the client's engine.io queue


@dataclass
class FloodResult:
    sent: int = 0
    opened: int = 0
    closed_by_server: int = 0
    refused: int = 0


async def _one_socket(
    base_url: str,
    headers: dict[str, str],
    packet: dict[str, Any],
    result: FloodResult,
    stop: asyncio.Event,
    budget: list[int],
) -> None:
    client = socketio.AsyncClient(reconnection=False, logger=False, engineio_logger=False)
    ended = asyncio.Event()
    client.on("disconnect", lambda *_: ended.set(), namespace=EVENT_PATH)
    hydrate = {
        "name": f"{ROOT_STATE}.hydrate_and_load",
        "payload": {},
        "router_data": {"pathname": "/", "asPath": "/"},
    }
    try:
        await open_socket(
            client, base_url, token=str(uuid.uuid4()), headers=headers, hydrate=hydrate, timeout=10
        )
    except socketio.exceptions.ConnectionError:
        result.refused += 1
        await asyncio.sleep(0.05)
        return
    result.opened += 1
    try:
        sent = 0
        while not stop.is_set() and not ended.is_set() and budget[0] > 0:
            if client.eio.state != "connected":
                break
            await client.emit("event", packet, namespace=EVENT_PATH)
            result.sent += 1
            budget[0] -= 1
            sent += 1
            if sent % YIELD_EVERY == 0:
                # As fast as the socket takes them, not faster: "sent" means written, and the
                # reader gets its turn to see the server's close.
                while client.eio.queue.qsize() > MAX_QUEUED and client.eio.state == "connected":
                    await asyncio.sleep(0.001)
                await asyncio.sleep(0)
        if not stop.is_set():
            # Closed by the server, or all sent: the server's close may still be on its way.
            if client.eio.state == "connected":
                await asyncio.wait_for(ended.wait(), timeout=5)
            result.closed_by_server += 1
    except (socketio.exceptions.BadNamespaceError, socketio.exceptions.DisconnectedError):
        result.closed_by_server += 1
    except TimeoutError:
        pass
    finally:
        await client.disconnect()


async def flood(
    base_url: str, *, sockets: int, events: int, forwarded_for: str, name: str, payload: dict[str, Any]
) -> FloodResult:
    """Flood until SIGTERM or until `events` were sent; `sockets` of them at a time."""
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    result = FloodResult()
    budget = [events]
    packet = {"name": name, "payload": payload, "router_data": {"pathname": "/", "asPath": "/"}}
    headers = {"X-Forwarded-For": forwarded_for}

    async def worker() -> None:
        while not stop.is_set() and budget[0] > 0:
            await _one_socket(base_url, headers, packet, result, stop, budget)

    print("ready", file=sys.stderr, flush=True)
    await asyncio.gather(*(worker() for _ in range(sockets)))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", required=True)
    parser.add_argument("--sockets", type=int, default=8)
    parser.add_argument("--events", type=int, default=48_000)
    parser.add_argument("--forwarded-for", default="203.0.113.9")
    parser.add_argument("--name", required=True)
    parser.add_argument("--payload", default="{}")
    args = parser.parse_args()
    os.nice(19)
    result = asyncio.run(
        flood(
            args.url,
            sockets=args.sockets,
            events=args.events,
            forwarded_for=args.forwarded_for,
            name=args.name,
            payload=json.loads(args.payload),
        )
    )
    print(json.dumps(asdict(result)), flush=True)


if __name__ == "__main__":
    main()
