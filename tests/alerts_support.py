"""Local stand-ins for the alert robots and a mail server, plus a hand-moved clock.

The robot server is a real HTTP server on 127.0.0.1 (a random port) in a thread: it
answers like WeCom (``/cgi-bin/webhook/send?key=``) and DingTalk (``/robot/send``, whose
加签 signature it verifies itself). Answers can be scripted per robot. The mail server is
aiosmtpd on 127.0.0.1. Both are stopped by their fixtures, also when a test fails.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import threading
import time
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

WECOM_KEY = "CANARY-wecom-key-3f9d2a71"
DING_TOKEN = "CANARY-ding-token-8c41e0b5"
DING_SECRET = "SECCANARY-ding-secret-77ab12cd"
SMTP_PASSWORD = "CANARY-smtp-password-19fe"
CANARIES = (WECOM_KEY, DING_TOKEN, DING_SECRET, SMTP_PASSWORD)

# The robots' secrets as the config below names them.
ALERT_ENV = {
    "SB_ALERT_WECOM_KEY": WECOM_KEY,
    "SB_ALERT_DING_TOKEN": DING_TOKEN,
    "SB_ALERT_DING_SECRET": DING_SECRET,
}

ALERTS_TOML = """
[alerts]
silent_days = {silent_days}
digest_window_seconds = {window}

[alerts.smtp]
host = "127.0.0.1"
port = {smtp_port}
security = "none"
sender = "socialbot@example.cn"
timeout = 5

[alerts.owners.office]
name = "宣传处王老师"
{office_scope}
[alerts.owners.office.wecom]
key_env = "SB_ALERT_WECOM_KEY"
api_base = "{robots}"
[alerts.owners.office.email]
to = ["wang@example.cn"]

[alerts.owners.{team}]
name = "{team_name}"
{team_scope}
[alerts.owners.{team}.dingtalk]
token_env = "SB_ALERT_DING_TOKEN"
secret_env = "SB_ALERT_DING_SECRET"
api_base = "{robots}"
"""


def alerts_toml(robots: str, smtp_port: int, *, silent_days: int = 10, window: int = 60,
                office_scope: str = 'accounts = ["shsmr_wechat"]', team: str = "weibo_team",
                team_name: str = "微博编辑组",
                team_scope: str = 'accounts = ["shsmr_weibo"]\nunits = ["上海市市场监督管理局"]'
                ) -> str:
    """An ``[alerts]`` section: "office" on WeCom and e-mail, a team on DingTalk."""
    return ALERTS_TOML.format(robots=robots, smtp_port=smtp_port, silent_days=silent_days,
                              window=window, office_scope=office_scope, team=team,
                              team_name=team_name, team_scope=team_scope)


class FakeClock:
    """UTC time that moves only when told; ``sleep`` moves it instead of waiting."""

    def __init__(self, start: dt.datetime):
        self.now = start
        self.slept: list[float] = []
        self._lock = threading.Lock()

    def __call__(self) -> dt.datetime:
        with self._lock:
            return self.now

    def advance(self, seconds: float) -> None:
        with self._lock:
            self.now += dt.timedelta(seconds=seconds)

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.advance(seconds)

    def wall(self) -> float:
        return self().timestamp()


@dataclass
class RobotCall:
    robot: str  # "wecom" or "dingtalk"
    query: dict[str, str]
    body: dict[str, Any]

    @property
    def text(self) -> str:
        md = self.body.get("markdown", {})
        return str(md.get("content") or md.get("text") or "")


@dataclass
class RobotServer:
    """Records every call; answers ``{"errcode": 0}`` unless a script says otherwise."""

    base: str = ""
    clock: FakeClock | None = None  # DingTalk's idea of now; None: the real time
    calls: list[RobotCall] = field(default_factory=list)
    script: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    always: dict[str, dict[str, Any]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, robot: str, query: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            self.calls.append(RobotCall(robot, query, body))
            if robot == "dingtalk":
                problem = self._check_signature(query)
                if problem:
                    return problem
            if self.script.get(robot):
                return self.script[robot].pop(0)
            return self.always.get(robot, {"errcode": 0, "errmsg": "ok"})

    def _check_signature(self, query: dict[str, str]) -> dict[str, Any] | None:
        if query.get("access_token") != DING_TOKEN:
            return {"errcode": 300001, "errmsg": "token is not exist"}
        timestamp = query.get("timestamp", "")
        expected = base64.b64encode(hmac.new(
            DING_SECRET.encode(), f"{timestamp}\n{DING_SECRET}".encode(), hashlib.sha256
        ).digest()).decode()
        if not hmac.compare_digest(query.get("sign", ""), expected):
            return {"errcode": 310000, "errmsg": "sign not match"}
        now = self.clock.wall() if self.clock is not None else time.time()
        if abs(int(timestamp) / 1000 - now) > 3600:
            return {"errcode": 310000, "errmsg": "invalid timestamp"}
        return None

    def of(self, robot: str) -> list[RobotCall]:
        with self.lock:
            return [c for c in self.calls if c.robot == robot]


def robot_handler(server: RobotServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            url = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            length = int(self.headers.get("Content-Length", "0"))
            body = json.loads(self.rfile.read(length).decode("utf-8") or "{}")
            if url.path == "/cgi-bin/webhook/send":
                answer = server.answer("wecom", query, body)
            elif url.path == "/robot/send":
                answer = server.answer("dingtalk", query, body)
            else:
                self.send_error(404)
                return
            data = json.dumps(answer).encode()
            self.send_response(200)  # like the real robots: errors are in the body
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@dataclass
class Mailbox:
    host: str
    port: int
    received: list[EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        mail = message_from_bytes(envelope.original_content or envelope.content,
                                  policy=policy.default)
        self.received.append(mail)  # type: ignore[arg-type]
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 OK"


def text_of(mail: EmailMessage) -> tuple[str, str]:
    """The plain-text and HTML bodies of a received mail, decoded."""
    plain = mail.get_body(preferencelist=("plain",))
    html = mail.get_body(preferencelist=("html",))
    assert plain is not None and html is not None
    return plain.get_content(), html.get_content()
