"""The fake Bot API (`bot.local_api.LocalBotApi`) behind an HTTP server on 127.0.0.1, for tests
and the crash test that run `main.py` as a process with `TELEGRAM_API_URL` pointing here.

It speaks what PTB's HTTPXRequest sends: form fields (JSON-encoded where they are objects) or
multipart with uploads, at `/bot<token>/<method>`. Only the loopback address is ever bound."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

from telegram.error import NetworkError, TimedOut

from bot.local_api import LocalBotApi

# Fields Minqing sends as JSON objects or numbers; every other field is text.
_JSON_FIELDS = {"reply_markup", "media", "commands", "scope", "allowed_updates", "entities"}
_INT_FIELDS = {"chat_id", "message_id", "offset", "timeout", "limit", "user_id",
               "message_thread_id", "from_chat_id", "reply_to_message_id"}
LONG_POLL_CAP = 1.0  # seconds a getUpdates call waits here at most (so servers stop quickly)


class BotApiServer:
    def __init__(self, api: LocalBotApi, host: str = "127.0.0.1", port: int = 0) -> None:
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError("the fake Bot API binds to the loopback address only")
        self.api = api
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                method = self.path.rstrip("/").rsplit("/", 1)[-1]
                params, files = _parse(self.headers.get("Content-Type", ""), body)
                try:
                    status, answer = server.call(method, params, files)
                except TimedOut:
                    time.sleep(LONG_POLL_CAP)  # answer late, as a timeout looks from outside
                    status, answer = 504, {"ok": False, "error_code": 504,
                                           "description": "Gateway Timeout"}
                except NetworkError:
                    self.close_connection = True  # a dropped connection
                    return
                data = json.dumps(answer).encode()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    # The caller may be gone (killed mid-request, as the crash test does).
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)

            do_GET = do_POST

            def log_message(self, format: str, *args: Any) -> None:
                return None

        self._server = _QuietServer((host, port), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def call(self, method: str, params: dict[str, Any], files: dict[str, tuple[str, bytes]]
             ) -> tuple[int, dict[str, Any]]:
        if method != "getUpdates":
            sizes = {name: len(content) for name, (_, content) in files.items()}
            return self.api.answer(method, params, sizes, files)
        failure = self.api._failure_for(method, params)
        if failure is not None:
            return self.api._failed(failure)
        deadline = time.monotonic() + min(float(params.get("timeout") or 0), LONG_POLL_CAP)
        while True:  # long polling, bounded
            batch = self.api.take_updates(params)
            if batch or time.monotonic() >= deadline:
                return 200, {"ok": True, "result": batch}
            time.sleep(0.02)

    def __enter__(self) -> BotApiServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that went away mid-request is no error of the fake's."""


def _parse(content_type: str, body: bytes
           ) -> tuple[dict[str, Any], dict[str, tuple[str, bytes]]]:
    fields: dict[str, str] = {}
    uploads: dict[str, tuple[str, bytes]] = {}
    if content_type.startswith("multipart/"):
        message = BytesParser(policy=HTTP).parsebytes(
            f"Content-Type: {content_type}\r\n\r\n".encode() + body)
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition") or ""
            payload = part.get_payload(decode=True) or b""
            if part.get_filename():
                uploads[str(name)] = (str(part.get_filename()), bytes(payload))
                fields[str(name)] = f"attach://{name}"
            else:
                fields[str(name)] = payload.decode("utf-8", "replace")
    elif content_type.startswith("application/json"):
        with contextlib.suppress(ValueError):
            return dict(json.loads(body or b"{}")), uploads
    else:
        fields = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    return {key: _value(key, value) for key, value in fields.items()}, uploads


def _value(key: str, value: str) -> Any:
    if key in _JSON_FIELDS:
        with contextlib.suppress(ValueError):
            return json.loads(value)
    if key in _INT_FIELDS:
        with contextlib.suppress(ValueError):
            return int(value)
    return value
