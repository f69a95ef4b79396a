"""How many shared-store operations and how much CPU one delivery costs in a channel.

    python bench/bench_store_ops.py            # 200 deliveries per account kind

Every WeChat (mass send, freepublish, draft) and Weibo account publishes N distinct
posts to the practice platform (in this process, SQLite key-value store). The store is
wrapped to count reads and writes; CPU time is this process's (platform included).
Prints reads/writes per delivery by account kind and CPU ms per delivery.
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from PIL import Image

from socialbot.config_file import load_settings
from socialbot.kv import SqlKeyValueStore
from socialbot.platforms import channel_for
from socialbot.platforms.common.retry import PollSchedule
from socialbot.platforms.wechat.part import WeChatArticle
from socialbot.platforms.weibo.part import WeiboStatus
from socialbot.rendered import ImageAsset, RenderedPost, delivery_key
from socialbot_practice import PracticePlatform, WeChatAccountSpec
from socialbot_practice.config_accounts import provide_secrets, register_accounts

CONFIG = """
timezone = "Asia/Shanghai"
[organisation]
name = "上海市市场监督管理局"
[campaign]
name = "6·9世界认可日"
theme = "认证认可检验检测"
link = "https://scjgj.sh.gov.cn/"
[paths]
secrets_file = "secrets.toml"
[database]
path = "bench.db"
[accounts.wx_mass]
platform = "wechat"
kind = "service"
reach = "mass_send"
appid = "wx00000000000000b1"
secret_env = "SB_BENCH_MASS"
api_base = "{wechat}"
[accounts.wx_publish]
platform = "wechat"
kind = "service"
reach = "publish"
appid = "wx00000000000000b2"
secret_env = "SB_BENCH_PUBLISH"
api_base = "{wechat}"
[accounts.wx_draft]
platform = "wechat"
kind = "service"
reach = "draft"
appid = "wx00000000000000b3"
secret_env = "SB_BENCH_DRAFT"
api_base = "{wechat}"
[accounts.weibo]
platform = "weibo"
uid = "5800000042"
token_env = "SB_BENCH_WEIBO"
safe_domains = ["scjgj.sh.gov.cn"]
api_base = "{weibo}"
"""


class CountingStore:
    def __init__(self, kv: Any) -> None:
        self.kv, self.reads, self.writes = kv, 0, 0

    def get(self, key: str) -> Any:
        self.reads += 1
        return self.kv.get(key)

    def set(self, key: str, value: str, ttl: int | None = None) -> None:
        self.writes += 1
        self.kv.set(key, value, ttl=ttl)

    def delete(self, key: str) -> None:
        self.writes += 1
        self.kv.delete(key)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.kv, name)


def image(seed: int, size: tuple[int, int]) -> ImageAsset:
    buf = io.BytesIO()
    Image.new("RGB", size, (seed % 256, 60, 90)).save(buf, format="PNG")
    return ImageAsset(f"img{seed}", buf.getvalue(), "png", *size)


def post(n: int) -> RenderedPost:
    article = WeChatArticle(
        title=f"基准稿件{n:04d}", author="上海市场监管", digest="摘要",
        content_html=f"<p>正文 {n}</p>", content_source_url="https://scjgj.sh.gov.cn/",
        cover=image(1, (90, 50)), crop_235_1="0_0.1170_1_0.8830", crop_1_1="0.2222_0_0.7778_1")
    status = WeiboStatus(f"基准稿件{n:04d} https://scjgj.sh.gov.cn/", image(2, (8, 8)))
    return RenderedPost(post_id=f"bench-{n:04d}", source=f"bench-{n:04d}.md", template="news",
                        title=article.title, date="2022-06-09", organiser="上海市市场监督管理局",
                        parts={"wechat": article, "weibo": status})


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=200, help="deliveries per account")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder, PracticePlatform(port=0) as platform:
        root = Path(folder)
        (root / "config.toml").write_text(
            CONFIG.format(wechat=platform.wechat_base, weibo=platform.weibo_base), "utf-8")
        settings = load_settings(root / "config.toml")
        provide_secrets(settings, settings.accounts.values())
        settings = load_settings(root / "config.toml")
        register_accounts(platform, settings, settings.accounts.values(), publish_polls=0)
        mass = settings.account("wx_mass")  # a long-lived token: the clock jumps months
        platform.add_wechat_account(WeChatAccountSpec(
            appid=mass.appid, secret=settings.secret_for(mass).reveal(), kind="service",
            token_lifetime=10**9))
        kv = CountingStore(SqlKeyValueStore(settings.database_url))
        print(f"{args.n} deliveries per account, SQLite key-value store")
        for account in settings.accounts.values():
            channel = channel_for(account, settings, kv,
                                  polls=PollSchedule(sleep=lambda _s: None))
            kv.reads = kv.writes = 0
            label = getattr(account, "reach", "share")
            cpu = time.process_time()
            for n in range(args.n):
                if label == "mass_send" and n and n % 4 == 0:  # 4 mass sends a month
                    platform.advance(32 * 86400)
                if label == "share":  # Weibo: 30 posts an hour, not too close together
                    platform.advance(180)
                p = post(n)
                result = channel.publish(p, delivery_key(p.post_id, account.id, p.content_hash))
                assert result.outcome.value == "sent", result.message
            used = (time.process_time() - cpu) * 1000 / args.n
            with platform.state.lock:
                platform.state.clock.reset()
            print(f"  {account.platform:6} {label:9}  store reads/delivery {kv.reads / args.n:5.2f}"
                  f"  writes/delivery {kv.writes / args.n:5.2f}  CPU {used:5.1f} ms/delivery")
    return 0


if __name__ == "__main__":
    sys.exit(main())
