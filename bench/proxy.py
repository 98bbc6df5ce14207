"""A TCP proxy in front of PostgreSQL that counts the statements its clients send.

Used only to count SQL statements per request, for every server alike (never
while timing: it is a Python hop on every message). It reads the frontend side
of PostgreSQL's wire protocol (protocol 3): after the startup message, every
message is a type byte and a length. A statement is an Execute message (`E`,
the extended protocol: asyncpg, node-postgres with parameters) or a simple
Query message (`Q`: BEGIN, COMMIT, statements without parameters). A simple
Query holding several statements separated by semicolons counts once. SSL and
GSS encryption requests are answered "no", so that the stream stays readable.
"""

from __future__ import annotations

import asyncio
import contextlib
import struct
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

SSL_REQUEST = 80877103
GSSENC_REQUEST = 80877104
STATEMENT_MESSAGES = (b"E", b"Q")
_INT32 = struct.Struct("!i")


class StatementCounter:
    """Counts Execute and simple Query messages across every connection through it."""

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port
        self.statements = 0
        self._connections: set[asyncio.Task[None]] = set()

    async def handle(self, client: asyncio.StreamReader, to_client: asyncio.StreamWriter) -> None:
        """Forward one client's connection to PostgreSQL, counting its statements."""
        task = asyncio.current_task()
        if task is not None:
            self._connections.add(task)
        try:
            server, to_server = await asyncio.open_connection(self.host, self.port)
        except OSError:
            to_client.close()
            return
        backward = asyncio.create_task(_pipe(server, to_client))
        try:
            await self._startup(client, to_client, to_server)
            while True:
                kind = await client.readexactly(1)
                length = await client.readexactly(4)
                payload = await client.readexactly(_INT32.unpack(length)[0] - 4)
                if kind in STATEMENT_MESSAGES:
                    self.statements += 1
                to_server.write(kind + length + payload)
                await to_server.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass  # the client went away
        except asyncio.CancelledError:
            pass  # the proxy is closing: end this connection quietly
        finally:
            to_server.close()
            backward.cancel()
            await asyncio.gather(backward, return_exceptions=True)
            to_client.close()
            if task is not None:
                self._connections.discard(task)

    async def close(self) -> None:
        """End every connection still open through the proxy."""
        for task in list(self._connections):
            task.cancel()
        await asyncio.gather(*self._connections, return_exceptions=True)

    async def _startup(
        self,
        client: asyncio.StreamReader,
        to_client: asyncio.StreamWriter,
        to_server: asyncio.StreamWriter,
    ) -> None:
        """Forward the startup message, declining encryption requests before it."""
        while True:
            length = _INT32.unpack(await client.readexactly(4))[0]
            body = await client.readexactly(length - 4)
            if _INT32.unpack(body[:4])[0] in (SSL_REQUEST, GSSENC_REQUEST):
                to_client.write(b"N")
                await to_client.drain()
                continue
            to_server.write(_INT32.pack(length) + body)
            await to_server.drain()
            return


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(ConnectionError):
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    writer.close()


@asynccontextmanager
async def counting_proxy(host: str, port: int) -> AsyncIterator[tuple[StatementCounter, int]]:
    """A proxy to PostgreSQL at host:port on a free loopback port: (its counter, its port)."""
    counter = StatementCounter(host, port)
    server = await asyncio.start_server(counter.handle, "127.0.0.1", 0)
    try:
        yield counter, server.sockets[0].getsockname()[1]
    finally:
        server.close()
        await counter.close()
        await server.wait_closed()
