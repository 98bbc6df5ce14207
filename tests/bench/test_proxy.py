from __future__ import annotations

import asyncpg

from bench.counting import through, upstream
from bench.proxy import counting_proxy


async def test_counts_executes_and_simple_queries_through_to_postgres(postgres_url: str) -> None:
    host, port = upstream(postgres_url)
    async with counting_proxy(host, port) as (counter, proxy_port):
        # asyncpg asks for SSL first (sslmode prefer): the proxy declines, the stream stays plain.
        connection = await asyncpg.connect(through(postgres_url, proxy_port))
        try:
            before = counter.statements
            assert await connection.fetchval("SELECT $1::int + 1", 41) == 42  # extended protocol
            await connection.execute("SELECT 1")  # simple Query
            async with connection.transaction():  # BEGIN, the statement, COMMIT
                await connection.fetchval("SELECT 2")
        finally:
            await connection.close()

    assert counter.statements - before == 5
