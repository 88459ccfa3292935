"""One HTTP exchange with a deadline and a size cap, for both gateway clients.

httpx's timeouts are per operation (connect, each read), so an answer that drips one byte a
second never times out, and `response.content` reads whatever size the server sends. Here the
whole exchange — connect, send, every byte of the answer — must finish within `deadline`
seconds, and an answer over `max_bytes` (after decompression) is cut off and not trusted.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import httpx

MAX_ANSWER_BYTES = 1 << 20  # 1 MiB: a refund answer is well under 4 KiB


class AnswerTooBig(Exception):
    """The answer was larger than the cap: cut off, not read."""


class DeadlinePassed(Exception):
    """The whole exchange did not finish within its deadline."""


@dataclass(frozen=True)
class Answer:
    status_code: int
    headers: httpx.Headers
    content: bytes


async def exchange(
    client: httpx.AsyncClient,
    method: str,
    url: str,
    *,
    content: bytes,
    headers: dict[str, str],
    deadline: float,
    max_bytes: int = MAX_ANSWER_BYTES,
) -> Answer:
    """Send one request and read its whole answer. Raises httpx errors as httpx does,
    DeadlinePassed, or AnswerTooBig."""
    try:
        async with asyncio.timeout(deadline):
            async with client.stream(method, url, content=content, headers=headers) as response:
                declared = response.headers.get("Content-Length", "")
                if declared.isdigit() and int(declared) > max_bytes:
                    raise AnswerTooBig(f"{declared} bytes")
                body = bytearray()
                async for chunk in response.aiter_bytes():
                    body += chunk
                    if len(body) > max_bytes:
                        raise AnswerTooBig(f"more than {max_bytes} bytes")
                return Answer(response.status_code, response.headers, bytes(body))
    except TimeoutError:
        raise DeadlinePassed(f"no complete answer within {deadline:g} s") from None
