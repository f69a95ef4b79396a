"""The staff web console: a Starlette app over the same config and store as the CLI.

Pages are rendered on the server (Jinja2); htmx (vendored in ``static/``) swaps the
review panel in place. Every route checks the session, the unit and the role itself;
nothing is only hidden in the page. This module assembles the pages' routes into the
application; what the pages share is ``socialbot.web.context``.
"""

from __future__ import annotations

import html
import threading
from pathlib import Path

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from socialbot.config import Settings
from socialbot.errors import StoreError
from socialbot.store import open_store, utcnow
from socialbot.store.sql import SqlStore
from socialbot.web import calendar, compose, post_page, review_chain, signin, watch
from socialbot.web.auth import Limits
from socialbot.web.context import Clock, Console, console_of, is_htmx, viewer_of

HERE = Path(__file__).parent
GZIP_MINIMUM = 1024  # smaller answers (redirects, messages) fit one packet anyway
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data:; font-src 'self' data:; form-action 'self'; frame-ancestors 'none'; "
       "base-uri 'none'")


def create_app(settings: Settings, *, store: SqlStore | None = None, clock: Clock = utcnow,
               limits: Limits | None = None) -> Starlette:
    """The console over ``store`` (default: the configured database; the caller disposes it)."""
    console = Console(settings, store or open_store(settings), clock, limits or Limits())
    routes = [
        Route("/", signin.home),
        Route("/login", signin.login_form, methods=["GET"]),
        Route("/login", signin.login, methods=["POST"]),
        Route("/logout", signin.logout, methods=["POST"]),
        *review_chain.ROUTES,  # /review, approve, reject, comments
        Route("/posts/{queue_id:int}", post_page.post_page),
        Route("/posts/{queue_id:int}/image/{sha}", post_page.post_image),
        Route("/dashboard", watch.dashboard),
        Route("/watch/deliveries/{delivery_id:int}/{action}", watch.delivery_action,
              methods=["POST"]),
        Route("/watch/pause", watch.pause_switch, methods=["POST"]),
        Route("/watch/resume", watch.resume_switch, methods=["POST"]),
        Route("/published", watch.published),
        Route("/audit", watch.audit_page),
        Route("/audit.csv", watch.audit_csv),
        Route("/calendar", calendar.calendar_page),
        Route("/calendar/deliveries/{delivery_id:int}", calendar.delivery_page),
        Route("/calendar/move", calendar.move_delivery, methods=["POST"]),
        Route("/calendar/import", calendar.import_form, methods=["GET"]),
        Route("/calendar/import", calendar.import_upload, methods=["POST"]),
        *compose.compose_routes(),
        Route("/font/base-{key}.woff2", _base_font),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    app = Starlette(routes=routes, exception_handlers={HTTPException: _http_error,
                                                       Exception: _server_error})
    app.state.console = console
    # Pages are text that shrinks about tenfold (the month calendar with 2,000 deliveries:
    # ~830 KiB); fonts and images are already compressed (Starlette leaves them alone).
    app.add_middleware(GZipMiddleware, minimum_size=GZIP_MINIMUM, compresslevel=6)
    # Cut the base font now, not when the first page asks for it (about two seconds).
    threading.Thread(target=console.font.base, name="console-font", daemon=True).start()
    return SecurityHeaders(app)  # type: ignore[return-value]


class SecurityHeaders:
    """No framing, no sniffing, scripts only from the console itself."""

    def __init__(self, app: ASGIApp):
        self.app = app
        self.state = getattr(app, "state", None)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += [
                    (b"content-security-policy", CSP.encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"x-frame-options", b"DENY"),
                    (b"referrer-policy", b"same-origin"),
                ]
                if not any(k == b"cache-control" for k, _v in headers):
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    console = console_of(request)
    viewer = await viewer_of(request)
    titles = {403: "无权操作", 404: "找不到页面", 405: "不支持的操作", 429: "尝试次数过多"}
    detail = exc.detail if exc.detail and not exc.detail.isascii() else titles.get(
        exc.status_code, "请求有误")
    if is_htmx(request):  # into the review panel's message slot, not over the page
        response = console.page("_message.html.j2", request, viewer, exc.status_code,
                                kind="error", message=detail)
        response.headers.update({"HX-Retarget": "#review-panel-msg",
                                 "HX-Reswap": "outerHTML", "HX-Reselect": "#review-panel-msg"})
    else:
        response = console.page("error.html.j2", request, viewer, exc.status_code,
                                title=titles.get(exc.status_code, "请求有误"), message=detail)
    return response


async def _server_error(request: Request, exc: Exception) -> Response:
    """Anything unexpected: a Chinese page, no traceback (uvicorn logs the error)."""
    message = (exc.render() if isinstance(exc, StoreError)
               else "服务器出错了，请稍后重试；如果一直出错，请联系管理员")
    try:
        return console_of(request).page("error.html.j2", request, None, 500, title="出错了",
                                        message=message)
    except Exception:  # the page itself failed: plain text is still better than nothing
        return HTMLResponse(f"<!doctype html><meta charset=\"utf-8\"><p>{html.escape(message)}",
                            status_code=500)


# --- assets -------------------------------------------------------------------------------

FONT_HEADERS = {"cache-control": "public, max-age=31536000, immutable"}


async def _base_font(request: Request) -> Response:
    console = console_of(request)
    if request.path_params["key"] != console.font.key:
        raise HTTPException(404)
    data = await run_in_threadpool(console.font.base)
    return Response(data, media_type="font/woff2", headers=FONT_HEADERS)
