"""Streamable HTTP (stateless) with an optional bearer token."""

from __future__ import annotations

import hmac
import json

from mcp.server.mcpserver import MCPServer


class BearerAuth:
    """ASGI middleware: every HTTP request must carry `Authorization: Bearer <token>`."""

    def __init__(self, app, token: str):
        self.app = app
        self.expected = f"Bearer {token}".encode()

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            given = dict(scope.get("headers") or []).get(b"authorization", b"")
            if not hmac.compare_digest(given, self.expected):
                body = json.dumps({"error": "missing or wrong bearer token"}).encode()
                await send({"type": "http.response.start", "status": 401,
                            "headers": [(b"content-type", b"application/json"), (b"www-authenticate", b"Bearer")]})
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)


def http_app(server: MCPServer, host: str, token: str | None):
    app = server.streamable_http_app(stateless_http=True, host=host)
    return BearerAuth(app, token) if token else app


def serve_http(server: MCPServer, host: str, port: int, token: str | None) -> None:
    import uvicorn

    uvicorn.run(http_app(server, host, token), host=host, port=port, log_level="warning")
