"""HTTP plumbing: read the request, route it, apply injected faults, write (or withhold) the answer.

Faults that touch the socket live here and nowhere else: answering late, answering with
junk, or closing the connection with no answer, before or after the action took effect.
"""

from __future__ import annotations

import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from socialbot_practice import control, page, wechat, weibo
from socialbot_practice.faults import AFTER_ACTION, BEFORE_ACTION, Fault
from socialbot_practice.page_font import FONT_HEADERS, FONT_ROUTE, FONT_TYPE, PageFonts
from socialbot_practice.protocol import HTML_TYPE, Reply, Request
from socialbot_practice.state import CallRecord, SandboxState

MAX_BODY = 32 * 1024 * 1024
PLATFORM_PREFIXES = (("/wechat/", "wechat"), ("/weibo/", "weibo"))
IMAGE_FOLDERS = ("/mmbiz/", "/sinaimg/")
NGINX_PAGE = (
    "<html><head><title>{0}</title></head><body><center><h1>{0}</h1></center>"
    "<hr><center>nginx</center></body></html>"
)
HTTP_500_BODY = NGINX_PAGE.format("500 Internal Server Error")
TIMEOUT_BODY = NGINX_PAGE.format("504 Gateway Time-out")
GARBAGE_BODY = "<!DOCTYPE html><html><body>系统繁忙，请稍后再试</body></html>"


class SandboxServer(ThreadingHTTPServer):
    """A threaded HTTP server that knows the sandbox state."""

    daemon_threads = True
    allow_reuse_address = True
    # socketserver listens with a backlog of 5: a burst of workers' connections (the
    # scale benchmark runs ~200 at once) overflowed it, and each dropped SYN cost its
    # client a 1 s retransmit that looked like the bot's own lateness.
    request_queue_size = 1024

    def __init__(self, address: tuple[str, int], state: SandboxState):
        super().__init__(address, SandboxHandler)
        self.state = state
        self.stopping = threading.Event()
        self.fonts = PageFonts()

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that gave up (timeout faults) is expected; report anything else."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


def fault_error(req: Request, fault: Fault) -> Reply:
    """The platform error an ``error`` fault asks for, in that platform's body format."""
    params = dict(fault.params)
    params.pop("seconds", None)
    if req.platform == "wechat":
        code = int(params.pop("errcode", params.pop("error_code", -1)))
        message = str(params.pop("errmsg", params.pop("error", "system error")))
        return Reply.json(wechat.error_body(code, message, **params))
    code = int(params.pop("error_code", params.pop("errcode", 10001)))
    message = str(params.pop("error", params.pop("errmsg", "system error!")))
    status = int(params.pop("status", 400))
    if req.endpoint.startswith("oauth2/"):
        return Reply.json(
            {"error": message, "error_code": code, "error_description": message}, status
        )
    return Reply.json(
        {"request": "/" + req.endpoint, "error_code": str(code), "error": message}, status
    )


class SandboxHandler(BaseHTTPRequestHandler):
    """One request: platform APIs under /wechat and /weibo, the rest is the sandbox's own."""

    server: SandboxServer
    protocol_version = "HTTP/1.0"
    server_version = "socialbot-sandbox"

    def do_GET(self) -> None:
        self._dispatch()

    do_POST = do_DELETE = do_PUT = do_HEAD = do_GET

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the call log on the page replaces the access log."""

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            raise ValueError("body too large")
        return self.rfile.read(length) if length > 0 else b""

    def _dispatch(self) -> None:
        try:
            body = self._read_body()
        except ValueError:
            self._send(Reply.json({"error": "request body too large or malformed"}, 413))
            return
        split = urlsplit(self.path)
        query = dict(parse_qsl(split.query, keep_blank_values=True))
        for prefix, platform in PLATFORM_PREFIXES:
            if split.path.startswith(prefix):
                req = Request(
                    method=self.command,
                    platform=platform,
                    endpoint=split.path[len(prefix) :].strip("/"),
                    query=query,
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=body,
                    client_ip=self.client_address[0],
                )
                self._api(req)
                return
        self._send(self._local(split.path, query, body))

    def _api(self, req: Request) -> None:
        state = self.server.state
        module: Any = wechat if req.platform == "wechat" else weibo
        with state.lock:
            account = module.identify(state, req)
            fault = state.faults.take(
                req.platform, req.endpoint, account, BEFORE_ACTION + AFTER_ACTION
            )
            now = state.clock.timestamp()
            reply: Reply | None = None
            if fault is None or fault.fault in AFTER_ACTION:
                reply = module.handle(state, req)
                account = account or module.identify(state, req)
            elif fault.fault == "error":
                reply = fault_error(req, fault)
        code = None
        if reply is not None:
            code = (
                wechat.errcode_of(reply) if req.platform == "wechat" else weibo.error_code_of(reply)
            )
        kind = fault.fault if fault else None
        status = (
            reply.status
            if reply is not None
            else {"http_500": 500, "garbage": 200, "timeout": 504}.get(kind or "", 0)
        )
        state.record_call(
            CallRecord(now, req.platform, req.endpoint, req.method, account, code, status, kind)
        )
        self._deliver(reply, fault)

    def _deliver(self, reply: Reply | None, fault: Fault | None) -> None:
        kind = fault.fault if fault else None
        if kind in ("drop", "drop_after_commit"):
            self.close_connection = True  # no status line, no body: the client sees a dead socket
            return
        if kind in ("timeout", "timeout_after_commit") and fault is not None:
            self.server.stopping.wait(fault.seconds)
        if kind == "http_500":
            reply = Reply(500, HTTP_500_BODY.encode(), HTML_TYPE)
        elif kind == "garbage":
            reply = (
                Reply(200, str(fault.params.get("body", GARBAGE_BODY)).encode(), HTML_TYPE)
                if fault
                else None
            )
        elif kind == "timeout":
            reply = Reply(504, TIMEOUT_BODY.encode(), HTML_TYPE)
        if reply is not None:
            self._send(reply)

    def _local(self, path: str, query: dict[str, str], body: bytes) -> Reply:
        state = self.server.state
        if path.startswith("/_sandbox"):
            return control.handle(state, self.command, path, body)
        if self.command not in ("GET", "HEAD"):
            return Reply.json({"error": f"{self.command} {path} is not a sandbox endpoint"}, 404)
        if path == "/":
            return Reply.html(
                page.render_home(
                    control.snapshot(state, calls=page.RECENT_CALLS_SHOWN), self.server.fonts
                )
            )
        if path.startswith(FONT_ROUTE):
            font = self.server.fonts.font_file(path[len(FONT_ROUTE) :])
            if font is None:
                return Reply(404, b"not found", "text/plain")
            return Reply(200, font, FONT_TYPE, FONT_HEADERS)
        if path.startswith(IMAGE_FOLDERS):
            image = state.image_at(path)
            if image is None:
                return Reply(404, b"not found", "text/plain")
            return Reply(200, image.data, image.mime, {"Cache-Control": "max-age=86400"})
        if path.startswith(("/s/", "/draft/")):
            return self._article(path, query)
        return Reply.html('<p>找不到这个页面。<a href="/">回到练习平台首页</a></p>', 404)

    def _article(self, path: str, query: dict[str, str]) -> Reply:
        state = self.server.state
        key = path.split("/", 2)[2]
        try:
            idx = int(query.get("idx", "1"))
        except ValueError:
            idx = 1
        with state.lock:
            if path.startswith("/s/"):
                found = state.articles.get(key)
            else:
                found = next(
                    (
                        {"articles": a.drafts[key]["articles"], "account_name": a.spec.name}
                        for a in state.wechat.values()
                        if key in a.drafts
                    ),
                    None,
                )
            status, text = page.render_article(found, idx, self.server.fonts)
        return Reply.html(text, status)

    def _send(self, reply: Reply) -> None:
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(reply.body)
