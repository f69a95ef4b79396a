"""Signing in and out of the console: the login form, its CSRF cookie, the session."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from socialbot.web.auth import (
    LOGIN_CSRF_COOKIE,
    Viewer,
    clear_session_cookie,
    csrf_ok,
    is_https,
    new_login_csrf,
    set_session_cookie,
)
from socialbot.web.context import checked_form, console_of, signed_in


async def home(request: Request) -> Response:
    return RedirectResponse("/review", status_code=303)


def safe_next(value: str | None) -> str:
    """Only paths on this console (no scheme, no host) may follow a sign-in."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/review"


async def login_form(request: Request, message: str = "", status: int = 200) -> Response:
    console = console_of(request)
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or new_login_csrf()
    response = console.page("login.html.j2", request, None, status, login_csrf=token,
                            message=message, next=safe_next(request.query_params.get("next")),
                            username=request.query_params.get("u", ""))
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict",
                        secure=is_https(request), path="/login")
    return response


async def login(request: Request) -> Response:
    console = console_of(request)
    form = await request.form()
    if not csrf_ok(request.cookies.get(LOGIN_CSRF_COOKIE, ""), str(form.get("csrf") or "")):
        return await login_form(request, "登录页面已过期，请重新输入", 403)
    username = str(form.get("username") or "").strip().lower()[:64]
    password = str(form.get("password") or "")[:256]
    ip = request.client.host if request.client else "?"
    if await run_in_threadpool(console.auth.throttled, username, ip):
        minutes = int(console.limits.window.total_seconds() // 60)
        return await login_form(
            request, f"登录失败次数过多，请 {minutes} 分钟后再试（或请管理员重设密码）", 429)
    token = await run_in_threadpool(console.auth.sign_in, username, password, ip)
    if token is None:
        return await login_form(request, "用户名或密码不对，请重新输入", 401)
    response = RedirectResponse(safe_next(str(form.get("next") or "")), status_code=303)
    set_session_cookie(response, request, token, console.limits)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@signed_in
async def logout(request: Request, viewer: Viewer) -> Response:
    await checked_form(request, viewer)
    await run_in_threadpool(console_of(request).auth.sign_out, viewer.token)
    response = RedirectResponse("/login", status_code=303)
    clear_session_cookie(response, request)
    return response
