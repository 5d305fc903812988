"""Request body limits, enforced before any route reads the body.

A declared ``Content-Length`` above the limit is refused at once; a body sent without one
(chunked) is counted as it arrives and refused when it passes the limit.  The body is read
before the app runs and handed to it whole, so no route ever sees a partial body.  Uploads
(``POST /documents``) have their own, larger limit.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

UPLOAD_PATH = "/documents"


class BodyLimit:
    """ASGI middleware: 413 for bodies over ``limit`` bytes (``upload_limit`` on uploads)."""

    def __init__(self, app: ASGIApp, limit: int, upload_limit: int):
        self.app, self.limit, self.upload_limit = app, limit, upload_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.upload_limit if scope.get("path") == UPLOAD_PATH else self.limit
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = limit + 1
                if declared > limit:
                    await _refuse(send, limit)
                    return
        chunks: list[bytes] = []
        received = 0
        while True:  # read the whole body first: it is small, or an upload that is kept anyway
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, _replay([], message, receive), send)
                return
            chunk = message.get("body", b"")
            received += len(chunk)
            if received > limit:
                await _refuse(send, limit)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        await self.app(scope, _replay(chunks, None, receive), send)


def _replay(chunks: list[bytes], last: Message | None, upstream: Receive) -> Receive:
    """A ``receive`` that hands the app the body read already, then the server's messages."""
    queue: list[Message] = ([{"type": "http.request", "body": b"".join(chunks),
                              "more_body": False}] if last is None else [last])

    async def receive() -> Message:
        if queue:
            return queue.pop(0)
        return await upstream()

    return receive


async def _refuse(send: Send, limit: int) -> None:
    body = json.dumps({"error": "too_large",
                       "message": f"the request body is larger than {limit} bytes"}).encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
