"""Fixtures for channel tests: a running practice platform, settings pointing at it, posts.

Load in a test module with ``pytest_plugins = ["tests.support_platform"]`` and use the
fixtures only (importing names from here as well would stop pytest from rewriting this
module's asserts): ``world`` carries the builders and ids. Posts are built directly
(small Pillow images, hand-written HTML), so these tests do not depend on the renderer.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any, ClassVar

import pytest
from PIL import Image

from socialbot.config import Settings
from socialbot.config_file import load_settings
from socialbot.kv import SqlKeyValueStore
from socialbot.platforms import channel_for
from socialbot.platforms.common.retry import PollSchedule, RetryPolicy
from socialbot.platforms.wechat.part import WeChatArticle
from socialbot.platforms.weibo.part import WeiboStatus
from socialbot.rendered import ImageAsset, RenderedPost, delivery_key
from socialbot_practice import PracticePlatform, WeChatAccountSpec, WeiboAccountSpec
from tests.helpers import CONFIG_HEADER

SUB_APPID, SVC_APPID, DRAFT_APPID = "wx5f0c0a1b2c3d4e5f", "wx9a8b7c6d5e4f3a2b", "wx1122334455667788"
WEIBO_UID = "5800000001"
SECRETS = {
    "SB_TEST_WX_SUB_SECRET": "sub-secret-0123456789abcdef0123",
    "SB_TEST_WX_SVC_SECRET": "svc-secret-0123456789abcdef0123",
    "SB_TEST_WX_DRAFT_SECRET": "draft-secret-0123456789abcdef01",
    "SB_TEST_WEIBO_TOKEN": "2.00weibo-token-0123456789abcdef",
}
LINK = "https://scjgj.sh.gov.cn/wad2022/lab"
WEIBO_TEXT = f"【6·9世界认可日】实验室“云开放”直播：6月9日14:00，带您走进检验检测一线。{LINK}"
FOLLOWERS = ["o" + f"{n:027d}" for n in range(1, 4)]

CONFIG = CONFIG_HEADER + """[database]
path = "socialbot.db"
[accounts.wx_sub]
platform = "wechat"
name = "订阅号"
kind = "subscription"
reach = "mass_send"
appid = "{sub}"
secret_env = "SB_TEST_WX_SUB_SECRET"
api_base = "{wechat}"
[accounts.wx_svc]
platform = "wechat"
name = "服务号"
kind = "service"
reach = "publish"
appid = "{svc}"
secret_env = "SB_TEST_WX_SVC_SECRET"
api_base = "{wechat}"
[accounts.wx_draft]
platform = "wechat"
name = "草稿号"
kind = "service"
reach = "draft"
appid = "{draft}"
secret_env = "SB_TEST_WX_DRAFT_SECRET"
api_base = "{wechat}"
[accounts.weibo_main]
platform = "weibo"
name = "上海市场监管微博"
uid = "{uid}"
token_env = "SB_TEST_WEIBO_TOKEN"
safe_domains = ["scjgj.sh.gov.cn"]
api_base = "{weibo}"
"""


# -- content ------------------------------------------------------------------------------


def image(size: tuple[int, int], fmt: str = "jpeg", colour: tuple[int, int, int] = (11, 110, 79),
          name: str = "img") -> ImageAsset:
    """A small solid image; a different colour gives a different sha256."""
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "JPEG" if fmt == "jpeg" else "PNG")
    return ImageAsset(name, buffer.getvalue(), fmt, size[0], size[1])


COVER = image((900, 500), name="cover")
INLINE = image((200, 120), "png", (242, 169, 0), name="chart")
WEIBO_IMAGE = image((600, 600), colour=(233, 244, 238), name="poster")
CROP_235 = "0_0.1170_1_0.8830"  # 900 x 383 of 900 x 500
CROP_11 = "0.2222_0_0.7778_1"  # 500 x 500


def make_rendered(
    post_id: str = "0609-lab",
    *,
    title: str = "实验室“云开放”直播预告",
    weibo_text: str = WEIBO_TEXT,
    images: tuple[ImageAsset, ...] = (INLINE,),
    cover: ImageAsset = COVER,
    weibo_image: ImageAsset = WEIBO_IMAGE,
) -> RenderedPost:
    body = "".join(f'<p><img src="{i.ref}" style="width:100%"></p>' for i in images)
    html = (f'<section style="font-size:16px"><p>检验检测是<strong>质量的守门人</strong>。</p>'
            f"{body}<p>欢迎收看（{post_id}）。</p></section>")
    article = WeChatArticle(
        title=title, author="上海市场监管", digest="6月9日，走进检验检测实验室。",
        content_html=html, content_source_url=LINK, cover=cover, crop_235_1=CROP_235,
        crop_1_1=CROP_11, images=images,
    )
    return RenderedPost(
        post_id=post_id, source=f"{post_id}.md", template="livestream", title=title,
        date="2022-06-09", organiser="上海市市场监督管理局",
        parts={"wechat": article, "weibo": WeiboStatus(weibo_text, weibo_image)},
    )


def key_for(rendered: RenderedPost, account_id: str) -> str:
    return delivery_key(rendered.post_id, account_id, rendered.content_hash)


# -- platform and settings ------------------------------------------------------------


def add_accounts(p: PracticePlatform, *, weibo_expires_in: int = 157679471,
                 whitelist: list[str] | None = None, publish_polls: int = 1,
                 secrets: dict[str, str] = SECRETS) -> None:
    p.add_wechat_account(WeChatAccountSpec(
        SUB_APPID, secrets["SB_TEST_WX_SUB_SECRET"], kind="subscription", followers=FOLLOWERS,
        tags={100: FOLLOWERS[:2]}, ip_whitelist=whitelist, name="订阅号"))
    p.add_wechat_account(WeChatAccountSpec(
        SVC_APPID, secrets["SB_TEST_WX_SVC_SECRET"], kind="service", followers=FOLLOWERS,
        name="服务号", publish_polls=publish_polls))
    p.add_wechat_account(WeChatAccountSpec(
        DRAFT_APPID, secrets["SB_TEST_WX_DRAFT_SECRET"], kind="service", followers=FOLLOWERS,
        name="草稿号"))
    p.add_weibo_account(WeiboAccountSpec(
        secrets["SB_TEST_WEIBO_TOKEN"], WEIBO_UID, screen_name="上海市场监管",
        safe_domains=["scjgj.sh.gov.cn"], expires_in=weibo_expires_in))


def write_settings(folder: Path, p: PracticePlatform, extra: str = "") -> Settings:
    """A config.toml in ``folder`` whose accounts all point at the practice platform."""
    text = CONFIG.format(sub=SUB_APPID, svc=SVC_APPID, draft=DRAFT_APPID, uid=WEIBO_UID,
                         wechat=p.wechat_base, weibo=p.weibo_base)
    path = folder / "config.toml"
    path.write_text(text + textwrap.dedent(extra), encoding="utf-8")
    return load_settings(path)


@dataclass
class Sleeps:
    """Records the waits a channel asked for, without waiting."""

    seconds: list[float] = field(default_factory=list)

    def __call__(self, value: float) -> None:
        self.seconds.append(value)


IDS = SimpleNamespace(
    sub=SUB_APPID, svc=SVC_APPID, draft=DRAFT_APPID, uid=WEIBO_UID, followers=FOLLOWERS,
    link=LINK, weibo_text=WEIBO_TEXT, secrets=SECRETS, cover=COVER, inline=INLINE,
    weibo_image=WEIBO_IMAGE,
)


@dataclass
class World:
    """Everything a channel test needs, wired together."""

    platform: PracticePlatform
    settings: Settings
    kv: SqlKeyValueStore
    sleeps: Sleeps
    folder: Path
    ids: ClassVar[SimpleNamespace] = IDS
    rendered: ClassVar[Callable[..., RenderedPost]] = staticmethod(make_rendered)
    image: ClassVar[Callable[..., ImageAsset]] = staticmethod(image)
    key: ClassVar[Callable[[RenderedPost, str], str]] = staticmethod(key_for)

    def channel(self, account_id: str, kv: Any = None, **options: Any) -> Any:
        options.setdefault("retry", RetryPolicy(sleep=self.sleeps, rand=lambda: 0.0))
        options.setdefault("polls", PollSchedule(sleep=self.sleeps))
        options.setdefault("timeout", (2.0, 0.5))
        account = self.settings.account(account_id)
        return channel_for(account, self.settings, kv if kv is not None else self.kv, **options)

    def change_account(self, account_id: str, **changes: Any) -> None:
        """Replace one account's settings (e.g. ``tag_id=100``)."""
        account = replace(self.settings.accounts[account_id], **changes)
        accounts = {**self.settings.accounts, account_id: account}
        self.settings = replace(self.settings, accounts=accounts)

    def calls(self, endpoint: str, platform: str | None = None) -> list[dict[str, Any]]:
        wanted = endpoint.removesuffix(".json")
        return [c for c in self.platform.calls(platform)
                if c["endpoint"].removesuffix(".json").endswith(wanted)]

    def count(self, endpoint: str) -> int:
        return len(self.calls(endpoint))


@pytest.fixture(scope="session")
def practice_platform() -> Iterator[PracticePlatform]:
    platform = PracticePlatform(port=0).start()
    yield platform
    platform.stop()


@pytest.fixture
def world(practice_platform: PracticePlatform, tmp_path: Path,
          monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    """A fresh platform state, accounts, secrets in the environment, and a SQLite KV file."""
    practice_platform.reset(drop_accounts=True)
    add_accounts(practice_platform)
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    settings = write_settings(tmp_path, practice_platform)
    kv = SqlKeyValueStore(settings.database_url)
    yield World(practice_platform, settings, kv, Sleeps(), tmp_path)
    kv.engine.dispose()


@pytest.fixture
def make_world(world: World, monkeypatch: pytest.MonkeyPatch) -> Callable[..., World]:
    """Re-add the accounts with other options (token expiry, IP whitelist, secrets ...)."""

    def remake(**account_options: Any) -> World:
        world.platform.reset(drop_accounts=True)
        add_accounts(world.platform, **account_options)
        for name, value in account_options.get("secrets", {}).items():
            monkeypatch.setenv(name, value)
        return world

    return remake
