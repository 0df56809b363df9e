"""Streamable HTTP (stateless) with an optional bearer token.

Stateless mode serves every POST on its own: no session, no server-to-client requests. The SDK's
stateless path still builds, per POST, a session transport, memory streams, a JSON-RPC dispatcher and
its tasks, and an SSE response with its own task group — about 2 ms of CPU per call, the server's
whole budget under load (issue 19). `StatelessPost` answers a single JSON-RPC request POST directly:
the SDK's request kernel (`serve_one`: the same validation, handlers and result shaping), a JSON
answer when the handler sent no notification, SSE as soon as it sends one (progress, logs). Anything
else — GET, DELETE, notifications, batches, other paths, the 2026 protocol, a request the SDK would
refuse (headers, host, size, malformed JSON) — goes to the SDK's app unchanged, so its answers stay
the SDK's.
"""

from __future__ import annotations

import contextlib
import gc
import hmac
import json
import logging
import os
import signal
import socket
import sys
import time
from collections.abc import Mapping
from typing import Any

import anyio
import pydantic_core
from mcp.server.connection import Connection
from mcp.server.mcpserver import MCPServer
from mcp.server.runner import serve_one
from mcp.server.streamable_http import REQUEST_CANCELLED
from mcp.server.transport_security import TransportSecurityMiddleware
from mcp.shared.exceptions import NoBackChannelError
from mcp.shared.jsonrpc_dispatcher import handler_exception_to_error_data, progress_token_from_params
from mcp.shared.message import ServerMessageMetadata
from mcp.shared.transport_context import TransportContext
from mcp_types import DEFAULT_NEGOTIATED_VERSION, INTERNAL_ERROR, ErrorData, JSONRPCRequest
from mcp_types.version import HANDSHAKE_PROTOCOL_VERSIONS
from pydantic import ValidationError
from starlette.requests import Request

log = logging.getLogger("dbarchitect")


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


_SSE_HEADERS = [(b"content-type", b"text/event-stream"), (b"cache-control", b"no-cache, no-transform"),
                (b"connection", b"keep-alive")]  # fmt: skip


def _accepts(accept: str) -> tuple[bool, bool]:
    """(application/json, text/event-stream) acceptable — the SDK's check_accept_headers on a string."""
    types = {part.split(";")[0].strip().lower() for part in accept.split(",")}
    anything = "*/*" in types
    return (anything or bool(types & {"application/json", "application/*"}),
            anything or bool(types & {"text/event-stream", "text/*"}))  # fmt: skip


class _Exchange:
    """The `DispatchContext` of one POST: notifications (progress, logs) go onto this request's response,
    which turns into an SSE stream at the first one; no server-to-client requests (stateless)."""

    can_send_request = False

    def __init__(self, request_id: Any, request: Request, params: Mapping[str, Any] | None, send: Any):
        self.transport = TransportContext(kind="streamable-http", can_send_request=False)
        self.request_id = request_id
        self.message_metadata = ServerMessageMetadata(request_context=request)
        self.progress_token = progress_token_from_params(params)
        self.cancel_requested = anyio.Event()
        self.streaming = False  # the SSE response has started
        self.closed = False  # the answer is sent or the client left: notifications are dropped
        self._send = send

    async def send_raw_request(self, method: str, params: Any = None, opts: Any = None) -> dict[str, Any]:
        raise NoBackChannelError(method)

    async def notify(self, method: str, params: Mapping[str, Any] | None, opts: Any = None) -> None:
        if self.closed:
            return
        message = {"jsonrpc": "2.0", "method": method} | ({"params": dict(params)} if params is not None else {})
        await self.event(message, more=True)

    async def progress(self, progress: float, total: float | None = None, message: str | None = None) -> None:
        if self.progress_token is None:
            return
        params: dict[str, Any] = {"progressToken": self.progress_token, "progress": progress}
        if total is not None:
            params["total"] = total
        if message is not None:
            params["message"] = message
        await self.notify("notifications/progress", params)

    async def event(self, message: dict[str, Any], *, more: bool) -> None:
        """One SSE event (the response's headers first, once)."""
        if not self.streaming:
            self.streaming = True
            await self._send({"type": "http.response.start", "status": 200, "headers": _SSE_HEADERS})
        body = b"event: message\r\ndata: " + pydantic_core.to_json(message) + b"\r\n\r\n"
        await self._send({"type": "http.response.body", "body": body, "more_body": more})

    async def answer(self, message: dict[str, Any]) -> None:
        self.closed = True
        if self.streaming:
            await self.event(message, more=False)
            return
        body = pydantic_core.to_json(message)
        await self._send({"type": "http.response.start", "status": 200,
                          "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
        await self._send({"type": "http.response.body", "body": body})  # fmt: skip


class StatelessPost:
    """ASGI: single JSON-RPC requests POSTed to `path` answered through the SDK's request kernel without
    its per-request session machinery (see the module doc); everything else to `sdk_app`."""

    def __init__(self, sdk_app: Any, server: MCPServer, path: str = "/mcp"):
        self.sdk_app = sdk_app
        self.lowlevel = server._lowlevel_server  # the kernel serve_one drives (what the SDK's own paths use)
        self.manager = server.session_manager
        self.path = path
        self.security = TransportSecurityMiddleware(self.manager.security_settings)
        # calls in flight, by (client host, Authorization, request id): a 2025-era client cancels by POSTing
        # notifications/cancelled and waits on the call's POST for its REQUEST_CANCELLED answer
        self.inflight: dict[tuple[str, bytes, str], list[anyio.CancelScope]] = {}

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] != self.path:
            return await self.sdk_app(scope, receive, send)
        headers: dict[bytes, bytes] = {}
        for name, value in scope["headers"]:
            headers.setdefault(name, value)
        version = headers.get(b"mcp-protocol-version")
        version = version.decode("latin-1") if version is not None else None
        has_json, has_sse = _accepts(headers.get(b"accept", b"").decode("latin-1"))
        content_type = headers.get(b"content-type", b"").split(b";")[0].strip()
        length = headers.get(b"content-length")
        if ((version is not None and version not in HANDSHAKE_PROTOCOL_VERSIONS) or not (has_json and has_sse)
                or content_type != b"application/json" or self.manager._task_group is None
                or length is None or not length.isdigit() or int(length) > self.manager.max_request_body_size):
            return await self.sdk_app(scope, receive, send)  # the SDK's path (and its exact refusals)
        request = Request(scope, receive)
        if await self.security.validate_request(request, is_post=True) is not None:
            return await self.sdk_app(scope, receive, send)
        body = await self._read(receive, int(length))
        if body is None:
            return  # the client left
        replay = _replay(body, receive)
        try:
            message = pydantic_core.from_json(body)
        except ValueError:
            return await self.sdk_app(scope, replay, send)
        if isinstance(message, dict) and message.get("method") == "notifications/cancelled" and "id" not in message:
            self._cancel(scope, headers, message.get("params"))  # then the SDK's answer (202) to the notification
        if not isinstance(message, dict) or "id" not in message or "method" not in message:
            return await self.sdk_app(scope, replay, send)  # notifications, responses, batches
        try:
            req = JSONRPCRequest.model_validate(message, by_name=False)
        except ValidationError:
            return await self.sdk_app(scope, replay, send)
        key = _key(scope, headers, req.id)
        await self._serve(req, version, Request(scope, replay), receive, send, key)

    def _cancel(self, scope: Any, headers: dict[bytes, bytes], params: Any) -> None:
        """Cancel the call a notifications/cancelled names — only when exactly one call in flight from this
        client host with these credentials has that id (ids are per client; never cancel someone else's)."""
        if not isinstance(params, dict) or "requestId" not in params:
            return
        scopes = self.inflight.get(_key(scope, headers, params["requestId"]), [])
        if len(scopes) == 1:
            scopes[0].cancel()

    @staticmethod
    async def _read(receive: Any, length: int) -> bytes | None:
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None
            chunk = message.get("body", b"")
            chunks.append(chunk)
            size += len(chunk)
            if not message.get("more_body", False) or size > length:
                return b"".join(chunks)

    async def _serve(self, req: JSONRPCRequest, version: str | None, request: Request, receive: Any, send: Any,
                     key: tuple[str, bytes, str]) -> None:  # fmt: skip
        exchange = _Exchange(req.id, request, req.params, send)
        connection = Connection.from_envelope(version or DEFAULT_NEGOTIATED_VERSION, None, None)
        left = False
        call = anyio.CancelScope()  # cancelled by the client's notifications/cancelled

        async def watch(scope: anyio.CancelScope) -> None:
            nonlocal left
            while (await receive())["type"] != "http.disconnect":
                pass
            left = True
            scope.cancel()  # the client went away: its call is cancelled (and so is its database work)

        answer: dict[str, Any] | None = None
        self.inflight.setdefault(key, []).append(call)
        try:
            async with anyio.create_task_group() as tg:
                tg.start_soon(watch, tg.cancel_scope)
                with call:
                    try:
                        result = await serve_one(self.lowlevel, exchange, req.method, req.params, connection=connection,
                                                 lifespan_state=self.manager._lifespan_state)  # fmt: skip
                        answer = {"jsonrpc": "2.0", "id": req.id, "result": result}
                    except Exception as exc:  # the exception-to-wire boundary of the SDK's dispatcher
                        error = handler_exception_to_error_data(exc)
                        if error is None:
                            log.exception("handler for %r raised", req.method)
                            error = ErrorData(code=INTERNAL_ERROR, message="Internal server error")
                        answer = {"jsonrpc": "2.0", "id": req.id, "error": error.model_dump(by_alias=True, exclude_none=True)}
                if call.cancelled_caught:  # what the SDK's 2025-era transport answers a cancelled request
                    answer = {"jsonrpc": "2.0", "id": req.id, "error": {"code": REQUEST_CANCELLED, "message": "Request cancelled"}}
                tg.cancel_scope.cancel()
        finally:
            scopes = self.inflight[key]
            scopes.remove(call)
            if not scopes:
                del self.inflight[key]
        if left or answer is None:
            exchange.closed = True
            return
        await exchange.answer(answer)


def _key(scope: Any, headers: dict[bytes, bytes], request_id: Any) -> tuple[str, bytes, str]:
    client = scope.get("client")
    return (client[0] if client else "", headers.get(b"authorization", b""), json.dumps(request_id))


def _replay(body: bytes, receive: Any) -> Any:
    """`receive` that hands out the already-read body once, then the real stream (disconnects)."""
    sent = False

    async def replay() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


def http_app(server: MCPServer, host: str, token: str | None):
    app = StatelessPost(server.streamable_http_app(stateless_http=True, host=host), server)
    return BearerAuth(app, token) if token else app


def serve_http(server: MCPServer, host: str, port: int, token: str | None, workers: int = 1) -> None:
    import uvicorn

    app = http_app(server, host, token)
    if workers <= 1:
        freeze_startup_objects()
        uvicorn.run(app, host=host, port=port, log_level="warning")
    else:
        serve_workers(app, host, port, workers)


def freeze_startup_objects() -> None:
    """Move everything built so far (modules, the SDK's and the tools' models and schemas: several hundred
    thousand objects) out of the garbage collector's generations: a full collection then walks only what
    the calls allocated, instead of pausing every call in the process for the whole heap."""
    gc.collect()
    gc.freeze()


#: a worker process that exits this soon after its start is a startup failure: the server stops instead
#: of restarting it in a loop
RESTART_MIN_UPTIME_S = 10.0
#: how long stopping waits for the worker processes to finish their calls before killing them
STOP_GRACE_S = 30.0


def listen_sockets(host: str, port: int, count: int) -> list[socket.socket]:
    """`count` listening sockets on host:port with SO_REUSEPORT: the kernel spreads new connections over
    them (by the connection's addresses), one socket per worker process. All bound here, before any worker
    starts, so a port in use is an error at once; port 0 picks one port for all."""
    if not hasattr(socket, "SO_REUSEPORT"):
        raise OSError("--workers needs SO_REUSEPORT (Linux, BSD, macOS); run one process on this platform")
    family, kind, proto, _, addr = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
    socks: list[socket.socket] = []
    try:
        for _ in range(count):
            sock = socket.socket(family, kind, proto)
            socks.append(sock)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            sock.bind(addr)
            sock.listen(2048)
            addr = sock.getsockname()  # port 0: the one the first socket got
    except OSError:
        for sock in socks:
            sock.close()
        raise
    return socks


def serve_workers(app: Any, host: str, port: int, workers: int) -> None:
    """Serve `app` from `workers` forked processes, one SO_REUSEPORT socket each (see listen_sockets).
    Stateless HTTP makes them interchangeable: a call lives on its own connection, so its progress
    and its cancellation (the client disconnects) stay in the process that serves it. Per process:
    the connection pools, caches, worker threads and processes for heavy calls. This process only
    supervises: SIGTERM/SIGINT stop every worker (their calls finish or are cancelled), a worker that
    dies is restarted (its socket stays open here meanwhile, so connections queue rather than fail),
    one that dies within RESTART_MIN_UPTIME_S of its start stops the server."""
    try:
        socks = listen_sockets(host, port, workers)
    except OSError as exc:
        print(f"Cannot listen on {host}:{port}: {exc.strerror or exc}", file=sys.stderr)
        raise SystemExit(1) from None
    freeze_startup_objects()  # and what every worker shares from here stays shared (copy-on-write)
    children: dict[int, tuple[socket.socket, float]] = {}
    stopping: list[float] = []

    def spawn(sock: socket.socket) -> None:
        pid = os.fork()
        if pid == 0:  # the worker: never returns into the caller's code
            code = 1
            try:
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                signal.signal(signal.SIGINT, signal.SIG_DFL)
                for other in socks:
                    if other is not sock:
                        other.close()
                _run_worker(app, sock)
                code = 0
            except BaseException:  # noqa: BLE001 - reported, then the exit code says it
                log.exception("HTTP worker process %d failed", os.getpid())
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
        children[pid] = (sock, time.monotonic())

    def stop(*_: Any) -> None:
        if not stopping:
            stopping.append(time.monotonic())
        for pid in list(children):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    failed = False
    try:
        for sock in socks:
            spawn(sock)
        while children:
            pid, status = os.waitpid(-1, os.WNOHANG)
            if pid == 0:
                if stopping and time.monotonic() - stopping[0] > STOP_GRACE_S:
                    for left in children:
                        with contextlib.suppress(ProcessLookupError):
                            os.kill(left, signal.SIGKILL)
                time.sleep(0.2)
                continue
            if pid not in children:
                continue
            sock, started = children.pop(pid)
            if stopping:
                continue
            how = f"exit code {os.waitstatus_to_exitcode(status)}"
            if time.monotonic() - started < RESTART_MIN_UPTIME_S:
                log.error("HTTP worker process %d stopped at startup (%s): stopping the server", pid, how)
                failed = True
                stop()
            else:
                log.warning("HTTP worker process %d stopped (%s): starting another", pid, how)
                spawn(sock)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        for sock in socks:
            sock.close()
    if failed:
        raise SystemExit(1)


def _run_worker(app: Any, sock: socket.socket) -> None:
    import uvicorn

    uvicorn.Server(uvicorn.Config(app, log_level="warning")).run(sockets=[sock])
