"""ShopifyClient.download_lines: a result file streamed line by line; a connection dropped in the
middle of the file is retried and no line is given twice; no token goes to the file's host."""

from __future__ import annotations

import asyncio

from live_helpers import client_for

TOKEN = "shpat_0123456789abcdef0123456789abcdef"
LINES = [f'{{"id":"gid://shopify/Product/{i}","handle":"p{i}"}}'.encode() for i in range(2000)]
BODY = b"\n".join(LINES) + b"\n"


async def flaky_file_server(seen: list[bytes]):
    """Serves BODY; the first answer stops after a third of it and closes the connection."""
    calls = 0

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal calls
        calls += 1
        seen.append(await reader.readuntil(b"\r\n\r\n"))
        head = f"HTTP/1.1 200 OK\r\nContent-Length: {len(BODY)}\r\nConnection: close\r\n\r\n"
        writer.write(head.encode())
        writer.write(BODY if calls > 1 else BODY[: len(BODY) // 3])
        await writer.drain()
        writer.close()

    return await asyncio.start_server(serve, "127.0.0.1", 0)


async def test_a_download_cut_short_resumes_without_repeating_lines(sandbox):
    seen: list[bytes] = []
    server = await flaky_file_server(seen)
    port = server.sockets[0].getsockname()[1]
    async with server, client_for(sandbox, token=TOKEN) as client:
        assert (await client.execute("Shop"))["shop"]  # the token does go to the Admin API
        got = [line async for line in client.download_lines(f"http://127.0.0.1:{port}/r.jsonl")]
    assert got == LINES
    assert len(seen) == 2
    assert all(TOKEN.encode() not in request for request in seen)
    assert all(b"x-shopify-access-token" not in request.lower() for request in seen)
