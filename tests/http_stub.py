"""A minimal Bot API over HTTP on 127.0.0.1, for tests that start Minqing as a process and point
`TELEGRAM_API_URL` at it. Each method's answer is scripted; anything unscripted is refused as
Telegram refuses an unknown method, so a misspelt call shows."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class StubBotApi:
    def __init__(self, answers: dict[str, tuple[int, dict[str, Any]]] | None = None,
                 default: tuple[int, dict[str, Any]] | None = None) -> None:
        self.answers = answers or {}
        self.default = default or (404, {"ok": False, "error_code": 404,
                                         "description": "Not Found: method not found"})
        self.calls: list[str] = []
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                method = self.path.rsplit("/", 1)[-1]
                stub.calls.append(method)
                status, body = stub.answers.get(method, stub.default)
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST

            def log_message(self, format: str, *args: Any) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> StubBotApi:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


REJECTED_TOKEN = (401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
