"""The practice platform as one object: start it, add accounts, inject faults, read what happened.

Used in-process by the tests and the README demo, and by ``socialbot sandbox``, which
serves it in the foreground so staff (and other processes) can use it over HTTP.
"""

from __future__ import annotations

import copy
import json
import threading
import tomllib
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from socialbot_practice import control
from socialbot_practice.accounts import WeChatAccount, WeChatAccountSpec, WeiboAccountSpec
from socialbot_practice.server import SandboxServer
from socialbot_practice.state import SandboxState


class PracticePlatform:
    """A local imitation of the WeChat and Weibo APIs the bot uses, with their rules."""

    def __init__(self, port: int = 0, host: str = "127.0.0.1"):
        self.host = host
        self.port = port
        self.state = SandboxState()
        self._server: SandboxServer | None = None
        self._thread: threading.Thread | None = None

    # lifecycle -------------------------------------------------------------------

    def start(self) -> Self:
        """Bind and serve in a daemon thread; ``port=0`` picks a free port."""
        if self._server is not None:
            return self
        self._server = SandboxServer((self.host, self.port), self.state)
        self.port = self._server.server_address[1]
        self.state.base_url = self.url
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.1},
            name=f"sandbox-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving; requests sleeping in a timeout fault are woken and dropped."""
        if self._server is None:
            return
        self._server.stopping.set()
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def url(self) -> str:
        shown = "127.0.0.1" if self.host in ("", "0.0.0.0") else self.host
        return f"http://{shown}:{self.port}"

    @property
    def wechat_base(self) -> str:
        """Use as the WeChat api_base (official: https://api.weixin.qq.com)."""
        return f"{self.url}/wechat"

    @property
    def weibo_base(self) -> str:
        """Use as the Weibo api_base (official: https://api.weibo.com)."""
        return f"{self.url}/weibo"

    # accounts, faults, clock -------------------------------------------------------

    def add_wechat_account(self, spec: WeChatAccountSpec) -> WeChatAccountSpec:
        self.state.add_wechat(spec)
        return spec

    def add_weibo_account(self, spec: WeiboAccountSpec) -> WeiboAccountSpec:
        self.state.add_weibo(spec)
        return spec

    def inject(
        self,
        platform: str,
        endpoint: str = "*",
        fault: str = "error",
        times: int = 1,
        account: str | None = None,
        **params: Any,
    ) -> dict[str, Any]:
        """Make the next ``times`` matching requests fail (``times < 0``: until cleared)."""
        data = {"platform": platform, "endpoint": endpoint, "fault": fault, "times": times}
        data.update(params)
        if account is not None:
            data["account"] = account
        return control.inject(self.state, data).public()

    def clear_faults(self) -> None:
        with self.state.lock:
            self.state.faults.clear()

    def faults(self) -> list[dict[str, Any]]:
        with self.state.lock:
            return [f.public() for f in self.state.faults.active()]

    def set_clock(self, when: datetime, *, frozen: bool = False) -> None:
        """Move the platform clock (naive = Asia/Shanghai); it keeps running unless frozen."""
        with self.state.lock:
            self.state.clock.set(when, frozen=frozen)

    def advance(self, seconds: float) -> None:
        with self.state.lock:
            self.state.clock.advance(seconds)

    def now(self) -> datetime:
        return self.state.clock.now()

    def reset(self, *, drop_accounts: bool = False) -> None:
        """Forget activity, faults and clock changes; accounts stay unless ``drop_accounts``."""
        self.state.reset(drop_accounts=drop_accounts)

    # what happened -------------------------------------------------------------------

    def received(self, account: str) -> list[dict[str, Any]]:
        """What the account's followers got: WeChat mass sends, or Weibo posts."""
        found = self.state.find(account)
        with self.state.lock:
            items = found.received if isinstance(found, WeChatAccount) else found.posts
            return copy.deepcopy(items)

    def published(self, account: str) -> list[dict[str, Any]]:
        """WeChat freepublish jobs: articles with a permalink that were NOT pushed to followers."""
        found = self._wechat(account)
        with self.state.lock:
            return copy.deepcopy(list(found.published.values()))

    def previews(self, account: str) -> list[dict[str, Any]]:
        """WeChat previews (message/mass/preview), each delivered to one user."""
        found = self._wechat(account)
        with self.state.lock:
            return copy.deepcopy(found.previews)

    def drafts(self, account: str) -> list[dict[str, Any]]:
        """The WeChat draft box, with the sandbox's warnings about what WeChat stripped."""
        found = self._wechat(account)
        with self.state.lock:
            return copy.deepcopy(list(found.drafts.values()))

    def calls(self, platform: str | None = None) -> list[dict[str, Any]]:
        """API calls in order: time, platform, endpoint, method, account, errcode, fault."""
        with self.state.lock:
            return [c.public() for c in self.state.calls if platform in (None, c.platform)]

    def snapshot(self) -> dict[str, Any]:
        """The same JSON as ``GET /_sandbox/state``."""
        return control.snapshot(self.state)

    def _wechat(self, account: str) -> WeChatAccount:
        found = self.state.find(account)
        if not isinstance(found, WeChatAccount):
            raise KeyError(f"{account!r} is not a WeChat account")
        return found


def load_accounts(platform: PracticePlatform, path: Path) -> int:
    """Add the accounts listed in a JSON or TOML file (``wechat = [...]``, ``weibo = [...]``)."""
    text = path.read_text(encoding="utf-8")
    data = tomllib.loads(text) if path.suffix == ".toml" else json.loads(text)
    for spec in data.get("wechat", []):
        platform.add_wechat_account(WeChatAccountSpec.from_dict(spec))
    for spec in data.get("weibo", []):
        platform.add_weibo_account(WeiboAccountSpec.from_dict(spec))
    return len(data.get("wechat", [])) + len(data.get("weibo", []))
