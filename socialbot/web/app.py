"""The staff web console: a Starlette app over the same config and store as the CLI.

Pages are rendered on the server (Jinja2); htmx (vendored in ``static/``) swaps the
review panel in place. Every route checks the session, the unit and the role itself;
nothing is only hidden in the page.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import threading
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from socialbot.config import Settings
from socialbot.errors import StoreError
from socialbot.people import TIER_LABELS, Person
from socialbot.render.webfont import font_stack
from socialbot.rendered import RenderedPost
from socialbot.shown_records import audit_text, shown
from socialbot.store import audit as audit_store
from socialbot.store import open_store, utcnow
from socialbot.store.models import DeliveryRecord, PostRecord
from socialbot.store.sql import SqlStore
from socialbot.store.times import show
from socialbot.web import access, chain_view
from socialbot.web.auth import (
    CSRF_HEADER,
    LOGIN_CSRF_COOKIE,
    Auth,
    Limits,
    Viewer,
    clear_session_cookie,
    csrf_ok,
    is_https,
    new_login_csrf,
    set_session_cookie,
)
from socialbot.web.cards import platform_cards
from socialbot.web.font import ConsoleFont
from socialbot.wording.labels import REVIEW_LABELS, action_label, actor_label, label, scope_label

HERE = Path(__file__).parent
EXTRA_FONT_MARK = "<!--extra-font-->"
GZIP_MINIMUM = 1024  # smaller answers (redirects, messages) fit one packet anyway
Clock = Callable[[], dt.datetime]
SHA_RE = re.compile(r"^[0-9a-f]{64}$")
HTMX_CONFIG = ('{"includeIndicatorStyles": false, "responseHandling": ['
               '{"code": "204", "swap": false}, {"code": "[23]..", "swap": true}, '
               '{"code": "[45]..", "swap": true, "error": true}]}')
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data:; font-src 'self' data:; form-action 'self'; frame-ancestors 'none'; "
       "base-uri 'none'")


class Console:
    """State shared by the routes: settings, store, clock, sign-in and the font."""

    def __init__(self, settings: Settings, store: SqlStore, clock: Clock, limits: Limits):
        self.settings = settings
        self.store = store
        self.clock = clock
        self.auth = Auth(store, clock, limits)
        self.limits = limits
        self.font = ConsoleFont(settings)
        self.jinja = Environment(loader=FileSystemLoader(HERE / "templates"),
                                 autoescape=select_autoescape(["j2", "html"]),
                                 trim_blocks=True, lstrip_blocks=True)
        self.jinja.globals.update(
            font_stack=font_stack(), htmx_config=HTMX_CONFIG, organisation=settings.organisation,
            when=lambda t: show(t, settings.tz), state_label=label, review_label=REVIEW_LABELS,
            account_name=lambda a: settings.accounts[a].name if a in settings.accounts else a,
            unit_name=lambda u: settings.units[u].name if u in settings.units else u,
            tier_label=TIER_LABELS, audit_text=audit_text, settings=settings,
            worded=shown, action_label=action_label, actor_label=actor_label,
            scope_label=scope_label,
            font_face=self.font.face_css())

    def page(self, name: str, request: Request, viewer: Viewer | None, status: int = 200,
             **context: Any) -> HTMLResponse:
        """A whole page, or only its ``fragment`` block for htmx requests that ask for it."""
        template = self.jinja.get_template(name)
        body = template.render(request=request, viewer=viewer, **context)
        extra = self.font.extra_css(body) if viewer else ""
        if extra and _is_htmx(request):  # a swap keeps the <head>: add the face to it
            oob = f'<div hx-swap-oob="beforeend:head"><style data-font-face>{extra}</style></div>'
            body = body.replace("</body>", oob + "</body>", 1) if "</body>" in body \
                else body + oob
        elif extra:  # after the base face, before the script that waits for the font
            style = f"<style>{extra}</style>"
            body = body.replace(EXTRA_FONT_MARK, style, 1) if EXTRA_FONT_MARK in body \
                else style + body
        return HTMLResponse(body, status_code=status)


def create_app(settings: Settings, *, store: SqlStore | None = None, clock: Clock = utcnow,
               limits: Limits | None = None) -> Starlette:
    """The console over ``store`` (default: the configured database; the caller disposes it)."""
    from socialbot.web.review_chain import ROUTES as REVIEW_ROUTES  # it imports this module

    console = Console(settings, store or open_store(settings), clock, limits or Limits())
    from socialbot.web import calendar, compose, watch  # their handlers use this module's helpers

    routes = [
        Route("/", _home),
        Route("/login", _login_form, methods=["GET"]),
        Route("/login", _login, methods=["POST"]),
        Route("/logout", _logout, methods=["POST"]),
        *REVIEW_ROUTES,  # /review, approve, reject, comments
        Route("/posts/{queue_id:int}", _post_page),
        Route("/posts/{queue_id:int}/image/{sha}", _post_image),
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


# --- helpers ------------------------------------------------------------------------------


def _console(request: Request) -> Console:
    return request.app.state.console  # type: ignore[no-any-return]


def _is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


async def _viewer(request: Request) -> Viewer | None:
    return await run_in_threadpool(_console(request).auth.viewer, request)


class SignInNeeded(Exception):
    pass


async def _require_viewer(request: Request) -> Viewer:
    viewer = await _viewer(request)
    if viewer is None:
        raise SignInNeeded
    return viewer


def _to_login(request: Request) -> Response:
    target = "/login?next=" + quote(request.url.path)
    if _is_htmx(request):
        return Response(status_code=401, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


def _signed_in(handler: Callable[[Request, Viewer], Awaitable[Response]]
               ) -> Callable[[Request], Awaitable[Response]]:
    async def route(request: Request) -> Response:
        try:
            viewer = await _require_viewer(request)
        except SignInNeeded:
            return _to_login(request)
        return await handler(request, viewer)

    route.__name__ = handler.__name__
    route.__doc__ = handler.__doc__
    return route


async def _checked_form(request: Request, viewer: Viewer) -> dict[str, str]:
    """The POSTed form, after the CSRF token (form field or htmx header) matched."""
    form = await request.form()
    given = request.headers.get(CSRF_HEADER) or str(form.get("csrf") or "")
    if not csrf_ok(viewer.csrf, given):
        raise HTTPException(403, "安全校验未通过（页面已过期或请求不是从控制台发出的），"
                                 "请刷新页面后重试")
    return {k: str(v) for k, v in form.items() if isinstance(v, str)}


def _visible_post(console: Console, person: Person, queue_id: int
                  ) -> tuple[PostRecord, list[DeliveryRecord]]:
    """The post and its deliveries; 404 alike for a missing post and another unit's post."""
    try:
        post = console.store.post(queue_id)
    except StoreError:
        raise HTTPException(404, f"没有编号 {queue_id} 的稿件，或它不属于你所在的单位") from None
    if not access.can_see(person, console.settings, post):
        raise HTTPException(404, f"没有编号 {queue_id} 的稿件，或它不属于你所在的单位")
    return post, console.store.deliveries_of(queue_id)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    console = _console(request)
    viewer = await _viewer(request)
    titles = {403: "无权操作", 404: "找不到页面", 405: "不支持的操作", 429: "尝试次数过多"}
    detail = exc.detail if exc.detail and not exc.detail.isascii() else titles.get(
        exc.status_code, "请求有误")
    if _is_htmx(request):  # into the review panel's message slot, not over the page
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
        return _console(request).page("error.html.j2", request, None, 500, title="出错了",
                                      message=message)
    except Exception:  # the page itself failed: plain text is still better than nothing
        return HTMLResponse(f"<!doctype html><meta charset=\"utf-8\"><p>{html.escape(message)}",
                            status_code=500)


# --- sign-in ------------------------------------------------------------------------------


async def _home(request: Request) -> Response:
    return RedirectResponse("/review", status_code=303)


def _safe_next(value: str | None) -> str:
    """Only paths on this console (no scheme, no host) may follow a sign-in."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/review"


async def _login_form(request: Request, message: str = "", status: int = 200) -> Response:
    console = _console(request)
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or new_login_csrf()
    response = console.page("login.html.j2", request, None, status, login_csrf=token,
                            message=message, next=_safe_next(request.query_params.get("next")),
                            username=request.query_params.get("u", ""))
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict",
                        secure=is_https(request), path="/login")
    return response


async def _login(request: Request) -> Response:
    console = _console(request)
    form = await request.form()
    if not csrf_ok(request.cookies.get(LOGIN_CSRF_COOKIE, ""), str(form.get("csrf") or "")):
        return await _login_form(request, "登录页面已过期，请重新输入", 403)
    username = str(form.get("username") or "").strip().lower()[:64]
    password = str(form.get("password") or "")[:256]
    ip = request.client.host if request.client else "?"
    if await run_in_threadpool(console.auth.throttled, username, ip):
        minutes = int(console.limits.window.total_seconds() // 60)
        return await _login_form(
            request, f"登录失败次数过多，请 {minutes} 分钟后再试（或请管理员重设密码）", 429)
    token = await run_in_threadpool(console.auth.sign_in, username, password, ip)
    if token is None:
        return await _login_form(request, "用户名或密码不对，请重新输入", 401)
    response = RedirectResponse(_safe_next(str(form.get("next") or "")), status_code=303)
    set_session_cookie(response, request, token, console.limits)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@_signed_in
async def _logout(request: Request, viewer: Viewer) -> Response:
    await _checked_form(request, viewer)
    await run_in_threadpool(_console(request).auth.sign_out, viewer.token)
    response = RedirectResponse("/login", status_code=303)
    clear_session_cookie(response, request)
    return response


# --- review -------------------------------------------------------------------------------


def _post_context(console: Console, viewer: Viewer, post: PostRecord,
                  ds: list[DeliveryRecord]) -> dict[str, Any]:
    rendered = console.store.rendered(post.id)
    history = audit_store.entries(console.store, post=post.id, limit=50)
    return {
        "post": post, "ds": ds, "rendered": rendered, "history": history,
        "cards": _follower_cards(console, post, ds, rendered), "nav": "review",
        **chain_view.panel_context(console.store, console.settings, viewer.person, post, ds,
                                   console.clock()),
    }


def _follower_cards(console: Console, post: PostRecord, ds: list[DeliveryRecord],
                    rendered: RenderedPost) -> list[Markup]:
    """What followers will see on each platform, drawn by the platform itself."""
    files = {i.sha256: f"/posts/{post.id}/image/{i.sha256}" for i in rendered.images()}
    return platform_cards(console.settings, rendered, [d.account for d in ds], files)


@_signed_in
async def _post_page(request: Request, viewer: Viewer) -> Response:
    console = _console(request)
    queue_id = int(request.path_params["queue_id"])
    post, ds = await run_in_threadpool(_visible_post, console, viewer.person, queue_id)
    context = await run_in_threadpool(_post_context, console, viewer, post, ds)
    return console.page("post.html.j2", request, viewer, **context)


@_signed_in
async def _post_image(request: Request, viewer: Viewer) -> Response:
    console = _console(request)
    queue_id = int(request.path_params["queue_id"])
    sha = str(request.path_params["sha"])
    post, _ds = await run_in_threadpool(_visible_post, console, viewer.person, queue_id)
    if not SHA_RE.match(sha):
        raise HTTPException(404)

    def find() -> Response:
        rendered = console.store.rendered(post.id)
        for image in rendered.images():
            if image.sha256 == sha:
                return Response(image.data, media_type=image.mime,
                                headers={"cache-control": "private, max-age=3600"})
        raise HTTPException(404)

    return await run_in_threadpool(find)




# --- assets -------------------------------------------------------------------------------

FONT_HEADERS = {"cache-control": "public, max-age=31536000, immutable"}


async def _base_font(request: Request) -> Response:
    console = _console(request)
    if request.path_params["key"] != console.font.key:
        raise HTTPException(404)
    data = await run_in_threadpool(console.font.base)
    return Response(data, media_type="font/woff2", headers=FONT_HEADERS)
