"""Console routes of the review chain: "awaiting my review", approve and reject at the
post's current tier, and threaded comments.

Each route re-checks the session, the CSRF token, the post's unit and the viewer's tier
on the server; the store then enforces the chain itself (order, four eyes, one approval
per person, the exact content hash), so a forged request gets no further than a page.
"""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from socialbot import review_rules
from socialbot.errors import StoreError
from socialbot.store import chain, review
from socialbot.store_rules import rules_of
from socialbot.web import access, chain_view
from socialbot.web.auth import Viewer
from socialbot.web.context import checked_form, console_of, is_htmx, signed_in, visible_post
from socialbot.web.post_page import post_context


@signed_in
async def review_list(request: Request, viewer: Viewer) -> Response:
    """Posts waiting at a tier the viewer reviews in their units; the rest listed apart."""
    console = console_of(request)
    settings, person = console.settings, viewer.person
    now = console.clock()

    def collect() -> dict[str, Any]:
        rows, _total = console.store.list_queue()
        waiting = [(post, ds) for post, ds in rows
                   if access.can_see(person, settings, post) and access.awaiting_review(post, ds)]
        states = chain.chain_states(console.store, rules_of(settings), [p for p, _ds in waiting])
        mine: list[tuple[Any, ...]] = []
        others: list[tuple[Any, ...]] = []
        for post, ds in waiting:
            state = states[post.id]
            refusal = review_rules.decision_refusal(person, settings, post, state)
            row = (post, ds, refusal, state, chain_view.expired(ds, now))
            (others if refusal else mine).append(row)
        return {"mine": mine, "others": others}

    context = await run_in_threadpool(collect)
    return console.page("review.html.j2", request, viewer, nav="review", **context)


async def _decide(request: Request, viewer: Viewer, decision: str) -> Response:
    """Approve or reject at the current tier after every server-side check."""
    console = console_of(request)
    settings, person = console.settings, viewer.person
    form = await checked_form(request, viewer)
    queue_id = int(request.path_params["queue_id"])
    post, ds = await run_in_threadpool(visible_post, console, person, queue_id)
    state = await run_in_threadpool(chain.chain_state, console.store, rules_of(settings), queue_id)
    if post.approved:
        mine = post.approved_by == person.username or state.reviewed_by(person.username)
        raise HTTPException(409, f"{'你' if mine else post.approved_by}已审核通过这篇稿件，"
                                 "同一内容不能重复审核")
    refusal = review_rules.decision_refusal(person, settings, post, state)
    if refusal:
        raise HTTPException(403, refusal)
    if not access.awaiting_review(post, ds):
        raise HTTPException(409, "这篇稿件现在没有等待审核的目标")
    now = console.clock()
    try:
        if decision == "approve":
            tier_text = form.get("tier", "")
            result = await run_in_threadpool(
                review.approve, console.store, rules_of(settings), queue_id, person.username, now,
                expect_hash=form.get("content_hash") or "-",
                override=form.get("override") or None,
                tier=int(tier_text) if tier_text.isdigit() else None)
            step = (f"{review_rules.tier_label(result.tier)}已通过" if result.tiers > 1
                    else "已审核通过")
            message = step + "".join(f"；{n}" for n in result.notes)
        else:
            await run_in_threadpool(review.reject, console.store, rules_of(settings), queue_id,
                                    person.username, form.get("reason", ""), now)
            message = "已退回，作者修改后会从初审重新开始审核"
    except StoreError as exc:
        raise HTTPException(409, exc.render()) from None
    return await _back_to_post(request, viewer, queue_id, message)


async def _back_to_post(request: Request, viewer: Viewer, queue_id: int,
                        message: str) -> Response:
    """A plain form goes back to the post page; htmx gets the page's main part."""
    if not is_htmx(request):
        return RedirectResponse(f"/posts/{queue_id}", status_code=303)
    console = console_of(request)
    post, ds = await run_in_threadpool(visible_post, console, viewer.person, queue_id)
    context = await run_in_threadpool(post_context, console, viewer, post, ds)
    return console.page("post.html.j2", request, viewer, message=message, **context)


@signed_in
async def approve(request: Request, viewer: Viewer) -> Response:
    return await _decide(request, viewer, "approve")


@signed_in
async def reject(request: Request, viewer: Viewer) -> Response:
    return await _decide(request, viewer, "reject")


@signed_in
async def comment(request: Request, viewer: Viewer) -> Response:
    """A comment (or a reply) by anyone who may see the post."""
    console = console_of(request)
    form = await checked_form(request, viewer)
    queue_id = int(request.path_params["queue_id"])
    await run_in_threadpool(visible_post, console, viewer.person, queue_id)
    parent_text = form.get("parent", "")
    try:
        await run_in_threadpool(
            lambda: chain.add_comment(console.store, queue_id, viewer.person.username,
                                      form.get("body", ""), console.clock(),
                                      parent=int(parent_text) if parent_text.isdigit() else None))
    except StoreError as exc:
        raise HTTPException(409, exc.render()) from None
    return await _back_to_post(request, viewer, queue_id, "评论已发表")


ROUTES = [
    Route("/review", review_list),
    Route("/posts/{queue_id:int}/approve", approve, methods=["POST"]),
    Route("/posts/{queue_id:int}/reject", reject, methods=["POST"]),
    Route("/posts/{queue_id:int}/comments", comment, methods=["POST"]),
]
