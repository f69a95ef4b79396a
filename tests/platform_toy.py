"""A third platform that exists only for tests: a notice board spoken to over HTTP.

It proves the core knows platforms only through ``socialbot.platforms``: registering
``TOY`` (one line) is all it takes for config, rendering, checks, preview, queue,
publishing, reconciling and the campaign report to handle accounts with
``platform = "toy"``.

The board (:class:`ToyBoard`) is a tiny HTTP server on loopback. ``POST /notes`` pins a
note (idempotent per delivery key); ``GET /notes?key=...`` finds one. It can be told
to drop the connection after pinning, so an answer is lost after the platform acted.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlsplit

import requests
from markupsafe import Markup, escape

from socialbot.config import Account, Settings, required_text
from socialbot.delivery import REDACTED, DeliveryResult, Outcome, PlannedCall
from socialbot.errors import Problem
from socialbot.platforms.base import Channel, Fail, Platform, PreviewFiles
from socialbot.platforms.common.calls import Answer, Journal, decode_json, perform
from socialbot.platforms.common.core import ChannelCore
from socialbot.platforms.common.memo import DeliveryMemo
from socialbot.platforms.common.outcomes import delivery
from socialbot.platforms.common.reactions import Rule, human_rule
from socialbot.quota_rules import QuotaRule
from socialbot.render.job import RenderJob
from socialbot.rendered import Part, RenderedPost
from socialbot.report_spec import Metric, ReportSpec

TEXT_MAX = 60
#: What the campaign report counts for the board: its notes and how often each was seen.
REPORT = ReportSpec(platform="toy", label="公告板", accounts_noun="公告板", noun="公告",
                    measure="条", item="公告", items_key="toy_notes",
                    metrics=(Metric("views", "浏览"),), reach="views", reach_label="公告浏览",
                    reach_tag="览", best=1, best_key="top_viewed")


# -- the platform as socialbot sees it ----------------------------------------------------


@dataclass(frozen=True)
class ToyAccount(Account):
    board: str = ""
    token_env: str = ""

    @property
    def secret_name(self) -> str:
        return self.token_env


@dataclass(frozen=True)
class ToyNote:
    text: str

    def fingerprint(self) -> dict[str, Any]:
        return {"text": self.text}

    def all_images(self) -> list[Any]:
        return []

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text}


class ToyPlatform(Platform):
    name: ClassVar[str] = "toy"
    label: ClassVar[str] = "公告板"
    official_api_base: ClassVar[str] = "https://board.invalid"
    post_text_field: ClassVar[str] = "notice"
    post_text_label: ClassVar[str] = "公告正文"
    report: ClassVar[ReportSpec | None] = REPORT
    text_max = TEXT_MAX

    def parse_account(self, account_id: str, table: dict[str, Any], common: dict[str, Any],
                      fail: Fail) -> Account | None:
        return ToyAccount(**common, board=required_text(table, "board", fail),
                          token_env=required_text(table, "token_env", fail))

    def account_keys(self) -> frozenset[str]:
        return frozenset({"board", "token_env"})

    def quota_rule(self, account: Account) -> QuotaRule | None:
        return QuotaRule(5, "day", "公告板每天最多发 5 条")

    def render(self, job: RenderJob) -> Part | None:
        if not job.block:
            job.fail(f"{job.where} 公告板正文", "公告板正文不能为空")
            return None
        return ToyNote(job.block)

    def part_from_json(self, data: dict[str, Any]) -> Part:
        return ToyNote(str(data["text"]))

    def check(self, part: Part, account: Account, source: str) -> list[Problem]:
        assert isinstance(part, ToyNote)
        if len(part.text) > TEXT_MAX:
            return [Problem(f"{source}（公告板 {account.id}）",
                            f"公告有 {len(part.text)} 个字，超过上限 {TEXT_MAX} 个字")]
        return []

    def describe(self, part: Part) -> list[tuple[str, str]]:
        assert isinstance(part, ToyNote)
        return [("公告正文", part.text)]

    def preview_checks(self, part: Part) -> list[tuple[str, int, int]]:
        assert isinstance(part, ToyNote)
        return [("公告正文", len(part.text), TEXT_MAX)]

    def preview_card(self, part: Part, accounts: list[Account], files: PreviewFiles,
                     rendered: RenderedPost) -> Markup:
        assert isinstance(part, ToyNote)
        return Markup('<div class="phone" data-testid="toy-card"><div class="phone-bar">'
                      f'{escape(accounts[0].name)}</div><p>{escape(part.text)}</p></div>')

    def channel(self, account: Account, settings: Settings, kv: Any, **options: Any) -> Channel:
        assert isinstance(account, ToyAccount)
        return ToyChannel(account, settings, kv, **options)


TOY = ToyPlatform()


def _rule(code: int) -> Rule:
    return human_rule("公告板返回错误 {code}：{errmsg}")


def _decode(response: requests.Response) -> Answer:
    data = decode_json(response)
    if response.status_code != 200 or not isinstance(data, dict):
        return Answer(-1, f"HTTP {response.status_code}", transport="http",
                      status=response.status_code)
    return Answer(0, data=data)


class ToyChannel(ChannelCore):
    platform: ClassVar[str] = "toy"
    account: ToyAccount

    def _call(self, journal: Journal, method: str, path: str, *, safe: bool,
              **kwargs: Any) -> Any:
        token = self.settings.secret_for(self.account).reveal()
        url = f"{self.account.api_base}/{path}"
        return perform(
            platform="公告板", request=f"{method} {path}",
            send=lambda: requests.request(method, url, timeout=self.timeout,
                                          headers={"Authorization": f"Bearer {token}"},
                                          **kwargs),
            decode=_decode, rule_for=_rule, safe=safe, policy=self.retry, journal=journal)

    def check(self, rendered: RenderedPost) -> list[Problem]:
        return TOY.check(rendered.parts["toy"], self.account, rendered.source)

    def plan(self, rendered: RenderedPost, delivery_key: str) -> list[PlannedCall]:
        note = rendered.parts["toy"]
        assert isinstance(note, ToyNote)
        return [PlannedCall("POST", "notes", f"{self.account.api_base}/notes", "张贴公告",
                            {"board": self.account.board, "key": delivery_key,
                             "text": note.text, "token": REDACTED})]

    def publish(self, rendered: RenderedPost, delivery_key: str) -> DeliveryResult:
        journal = Journal(self.now)
        memo = DeliveryMemo(self.kv, delivery_key, self.now)
        note = rendered.parts["toy"]
        assert isinstance(note, ToyNote)

        def run() -> DeliveryResult:
            done = memo.done()
            if done is not None:
                return done
            memo.mark("pinned_at")
            answer = self._call(journal, "POST", "notes", safe=False,
                                json={"board": self.account.board, "key": delivery_key,
                                      "text": note.text})
            return memo.sent("已张贴", remote_id=str(answer["id"]), details={})

        return delivery(journal, run)

    def reconcile(self, rendered: RenderedPost, delivery_key: str) -> DeliveryResult:
        journal = Journal(self.now)
        memo = DeliveryMemo(self.kv, delivery_key, self.now)

        def run() -> DeliveryResult:
            done = memo.done()
            if done is not None:
                return done
            found = self._call(journal, "GET", "notes", safe=True,
                               params={"board": self.account.board, "key": delivery_key})
            if found.get("id"):
                return memo.sent("核对结果：公告已张贴", remote_id=str(found["id"]), details={})
            return DeliveryResult(Outcome.RETRY, "核对结果：公告板上没有这条，可以重新发布")

        return delivery(journal, run)


# -- the board itself ----------------------------------------------------------------------


class ToyBoard:
    """The toy platform's server: notes per board, one HTTP request at a time."""

    def __init__(self, token: str):
        self.token = token
        self.notes: dict[tuple[str, str], dict[str, Any]] = {}
        self.requests: list[str] = []
        self.drop_next_answer = False
        board = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _reply(self, status: int, data: dict[str, Any]) -> None:
                body = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _authorised(self) -> bool:
                if self.headers.get("Authorization") == f"Bearer {board.token}":
                    return True
                self._reply(401, {"error": "bad token"})
                return False

            def do_GET(self) -> None:
                board.requests.append(f"GET {self.path}")
                if not self._authorised():
                    return
                query = parse_qs(urlsplit(self.path).query)
                note = board.notes.get((query["board"][0], query["key"][0]))
                self._reply(200, {"id": note["id"] if note else ""})

            def do_POST(self) -> None:
                board.requests.append(f"POST {self.path}")
                data = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if not self._authorised():
                    return
                key = (data["board"], data["key"])
                note = board.notes.setdefault(key, {"id": f"n{len(board.notes) + 1}",
                                                    "text": data["text"]})
                if board.drop_next_answer:  # pinned, but the answer never arrives
                    board.drop_next_answer = False
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                self._reply(200, {"id": note["id"]})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> ToyBoard:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


TEMPLATE = """{% extends "_base.j2" %}
{% block toy %}{{ post.notice or ("【" ~ campaign.name ~ "】" ~ post.title) }}{% endblock %}
"""


def write_template(folder: Path) -> None:
    """A staff template that gives the toy platform its block (``toy_note.j2``)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "toy_note.j2").write_text(TEMPLATE, encoding="utf-8")


