"""What every console page shares: the :class:`Console` state and the request helpers.

Each page module (review, calendar, composer, watch) takes the console from the request,
checks the session with :func:`signed_in`, the CSRF token with :func:`checked_form` and
the post's unit with :func:`visible_post`; ``app.py`` only assembles them into routes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from socialbot.config import Settings
from socialbot.errors import StoreError
from socialbot.people import TIER_LABELS, Person
from socialbot.render.webfont import font_stack
from socialbot.shown_records import audit_text, shown
from socialbot.store.models import DeliveryRecord, PostRecord
from socialbot.store.sql import SqlStore
from socialbot.store.times import show
from socialbot.web import access
from socialbot.web.auth import CSRF_HEADER, Auth, Limits, Viewer, csrf_ok
from socialbot.web.font import ConsoleFont
from socialbot.web.names import account_name, unit_name
from socialbot.wording.labels import REVIEW_LABELS, action_label, actor_label, label, scope_label

HERE = Path(__file__).parent
EXTRA_FONT_MARK = "<!--extra-font-->"
Clock = Callable[[], dt.datetime]
HTMX_CONFIG = ('{"includeIndicatorStyles": false, "responseHandling": ['
               '{"code": "204", "swap": false}, {"code": "[23]..", "swap": true}, '
               '{"code": "[45]..", "swap": true, "error": true}]}')


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
            account_name=lambda a: account_name(settings, a),
            unit_name=lambda u: unit_name(settings, u),
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
        if extra and is_htmx(request):  # a swap keeps the <head>: add the face to it
            oob = f'<div hx-swap-oob="beforeend:head"><style data-font-face>{extra}</style></div>'
            body = body.replace("</body>", oob + "</body>", 1) if "</body>" in body \
                else body + oob
        elif extra:  # after the base face, before the script that waits for the font
            style = f"<style>{extra}</style>"
            body = body.replace(EXTRA_FONT_MARK, style, 1) if EXTRA_FONT_MARK in body \
                else style + body
        return HTMLResponse(body, status_code=status)


def console_of(request: Request) -> Console:
    """The console the application was built with."""
    return request.app.state.console  # type: ignore[no-any-return]


def is_htmx(request: Request) -> bool:
    """Did htmx send this request (it then swaps in part of the answer)?"""
    return request.headers.get("hx-request") == "true"


async def viewer_of(request: Request) -> Viewer | None:
    """The signed-in viewer, or None."""
    return await run_in_threadpool(console_of(request).auth.viewer, request)


class SignInNeeded(Exception):
    """No valid session: the route answers with the way to the login page."""


async def require_viewer(request: Request) -> Viewer:
    viewer = await viewer_of(request)
    if viewer is None:
        raise SignInNeeded
    return viewer


def to_login(request: Request) -> Response:
    """To the login page and back here afterwards (htmx follows ``HX-Redirect``)."""
    target = "/login?next=" + quote(request.url.path)
    if is_htmx(request):
        return Response(status_code=401, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


def signed_in(handler: Callable[[Request, Viewer], Awaitable[Response]]
              ) -> Callable[[Request], Awaitable[Response]]:
    """A route that runs ``handler`` for a signed-in viewer and sends anyone else to sign in."""
    async def route(request: Request) -> Response:
        try:
            viewer = await require_viewer(request)
        except SignInNeeded:
            return to_login(request)
        return await handler(request, viewer)

    route.__name__ = handler.__name__
    route.__doc__ = handler.__doc__
    return route


async def checked_form(request: Request, viewer: Viewer) -> dict[str, str]:
    """The POSTed form, after the CSRF token (form field or htmx header) matched."""
    form = await request.form()
    given = request.headers.get(CSRF_HEADER) or str(form.get("csrf") or "")
    if not csrf_ok(viewer.csrf, given):
        raise HTTPException(403, "安全校验未通过（页面已过期或请求不是从控制台发出的），"
                                 "请刷新页面后重试")
    return {k: str(v) for k, v in form.items() if isinstance(v, str)}


def visible_post(console: Console, person: Person, queue_id: int
                  ) -> tuple[PostRecord, list[DeliveryRecord]]:
    """The post and its deliveries; 404 alike for a missing post and another unit's post."""
    try:
        post = console.store.post(queue_id)
    except StoreError:
        raise HTTPException(404, f"没有编号 {queue_id} 的稿件，或它不属于你所在的单位") from None
    if not access.can_see(person, console.settings, post):
        raise HTTPException(404, f"没有编号 {queue_id} 的稿件，或它不属于你所在的单位")
    return post, console.store.deliveries_of(queue_id)
