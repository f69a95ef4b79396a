"""What the benchmarks share: a config of N practice accounts, tiny posts, /proc readings.

Every benchmark imports only what it needs from ``socialbot`` so that it also runs
against an older checkout (``PYTHONPATH=<old checkout> python bench/<name>.py``) for
before/after figures measured side by side.
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

from PIL import Image

from socialbot.platforms.wechat.part import WeChatArticle
from socialbot.platforms.weibo.part import WeiboStatus
from socialbot.rendered import ImageAsset, RenderedPost

try:  # the practice platform is its own package in newer checkouts
    from socialbot_practice import PracticePlatform, WeChatAccountSpec  # type: ignore
except ImportError:
    from socialbot.sandbox import PracticePlatform, WeChatAccountSpec  # type: ignore

__all__ = ["PracticePlatform", "WeChatAccountSpec", "percentile", "proc_stats", "rendered",
           "secret_for", "write_config"]

CONFIG = """
timezone = "Asia/Shanghai"
[organisation]
name = "上海市市场监督管理局"
short_name = "上海市场监管"
[campaign]
name = "6·9世界认可日"
theme = "认证认可检验检测：传递质量信任，服务绿色发展"
link = "https://scjgj.sh.gov.cn/"
[database]
{database}
"""


def secret_for(n: int) -> str:
    return f"bench-secret-{n}"


def write_config(root: Path, base: str, accounts: int, database_url: str | None) -> Path:
    """``accounts`` WeChat service accounts (publish reach, no review) at ``base``.

    Their secrets go to the environment (``SB_BENCH_<n>``), as in production.
    """
    database = f'url = "{database_url}"' if database_url else 'path = "bench.db"'
    lines = [CONFIG.format(database=database)]
    for n in range(accounts):
        os.environ[f"SB_BENCH_{n}"] = secret_for(n)
        lines.append(
            f'[accounts.bench_{n:04d}]\nplatform = "wechat"\nkind = "service"\n'
            f'reach = "publish"\nappid = "wxbench{n:011d}"\nsecret_env = "SB_BENCH_{n}"\n'
            f'api_base = "{base}"\nrequires_approval = false\n'
        )
    path = root / "config.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def add_practice_accounts(platform: Any, count: int) -> None:
    for n in range(count):
        platform.add_wechat_account(WeChatAccountSpec(
            appid=f"wxbench{n:011d}", secret=secret_for(n), kind="service", publish_polls=0))


def image(seed: int, size: tuple[int, int]) -> ImageAsset:
    buf = io.BytesIO()
    Image.new("RGB", size, (seed % 256, (seed * 7) % 256, 90)).save(buf, "PNG")
    return ImageAsset("img", buf.getvalue(), "png", *size)


def rendered(n: int) -> RenderedPost:
    cover = image(n, (90, 50))
    article = WeChatArticle(
        title=f"基准稿件{n:05d}",
        author="上海市场监管",
        digest="基准测试",
        content_html=f"<p>第 {n} 篇</p>",
        content_source_url="https://scjgj.sh.gov.cn/",
        cover=cover,
        crop_235_1="0_0.1170_1_0.8830",
        crop_1_1="0.2222_0_0.7778_1",
    )
    return RenderedPost(
        post_id=f"bench-{n:05d}",
        source=f"bench-{n:05d}.md",
        template="news",
        title=article.title,
        date="2022-06-09",
        organiser="上海市市场监督管理局",
        parts={"wechat": article,
               "weibo": WeiboStatus(f"基准稿件{n:05d} https://scjgj.sh.gov.cn/",
                                    image(n + 50000, (8, 8)))},
    )


def proc_stats(pid: int) -> tuple[float, float] | None:
    """(RSS MiB, CPU seconds user+system) of ``pid`` from /proc, or None off Linux."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
        stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    rss_kb = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:"))
    ticks = int(stat[11]) + int(stat[12])
    return rss_kb / 1024, ticks / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]
