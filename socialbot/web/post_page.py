"""The post page: a queued post as followers will see it, its history and review panel.

The review routes (``review_chain``) answer an htmx decision with the same context.
"""

from __future__ import annotations

import re
from typing import Any

from markupsafe import Markup
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from socialbot.rendered import RenderedPost
from socialbot.store import audit as audit_store
from socialbot.store.models import DeliveryRecord, PostRecord
from socialbot.web import chain_view
from socialbot.web.auth import Viewer
from socialbot.web.cards import platform_cards
from socialbot.web.context import Console, console_of, signed_in, visible_post

SHA_RE = re.compile(r"^[0-9a-f]{64}$")


def post_context(console: Console, viewer: Viewer, post: PostRecord,
                 ds: list[DeliveryRecord]) -> dict[str, Any]:
    """What ``post.html.j2`` shows: the post, its deliveries, history, cards and review panel."""
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


@signed_in
async def post_page(request: Request, viewer: Viewer) -> Response:
    console = console_of(request)
    queue_id = int(request.path_params["queue_id"])
    post, ds = await run_in_threadpool(visible_post, console, viewer.person, queue_id)
    context = await run_in_threadpool(post_context, console, viewer, post, ds)
    return console.page("post.html.j2", request, viewer, **context)


@signed_in
async def post_image(request: Request, viewer: Viewer) -> Response:
    console = console_of(request)
    queue_id = int(request.path_params["queue_id"])
    sha = str(request.path_params["sha"])
    post, _ds = await run_in_threadpool(visible_post, console, viewer.person, queue_id)
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
