"""One process serving group page requests through the ASGI app, for `bench.instructions`.

Run as a script with the checkout to measure as working directory (any commit that has
`server.create_app` and `server.GROUP_PAGE_QUERY`), on a database `manage.py generate` filled:
`python bench/instructions_child.py WARMUP REQUESTS [SLUG]` (the group, `group-1` of
`manage.py generate` by default). The requests are handed to the app as
ASGI calls, with no HTTP client or socket in between, so what is counted is the server's.
"""

import asyncio
import gc
import os
import sys

sys.path[0] = os.getcwd()  # the checkout measured, not this file's folder (bench/live.py)


async def call(app: object, body: bytes) -> bytes:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/graphql",
        "raw_path": b"/graphql",
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"bench"),
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("bench", 80),
    }
    sent = False
    chunks: list[bytes] = []

    async def receive() -> dict[str, object]:
        nonlocal sent
        if sent:
            await asyncio.Event().wait()  # the client never disconnects mid-request
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, object]) -> None:
        if message["type"] == "http.response.start":
            assert message["status"] == 200, message
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))  # type: ignore[arg-type]

    await app(scope, receive, send)  # type: ignore[operator]
    return b"".join(chunks)


async def main(warmup: int, requests: int, slug: str) -> None:
    import orjson
    from asgi_lifespan import LifespanManager

    from server import GROUP_PAGE_QUERY, create_app

    body = orjson.dumps({"query": GROUP_PAGE_QUERY, "variables": {"slug": slug}})
    async with LifespanManager(create_app()) as manager:
        for done in range(warmup + requests):
            if done == warmup:
                # The collector's full passes come when the heap's counts say, not per request:
                # one more or less in a run would move the count by millions. Off while the
                # requests run, and one pass at the end collects all they left.
                gc.collect()
                gc.disable()
            answer = orjson.loads(await call(manager.app, body))
            assert "errors" not in answer, answer
            group = answer["data"]["group"]
            assert group is not None, answer
            assert len(group["articles"]["nodes"]) == 20, answer
        gc.collect()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), int(sys.argv[2]), (sys.argv[3:] or ["group-1"])[0]))
