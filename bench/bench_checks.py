"""Content-check speed: the sample campaign, and one 10,000-character body.

Run: python bench/bench_checks.py [--rounds N]
Prints the word-list load time (cold), the median time to check the whole campaign
(every field of every post, all rules, shipped word lists) and the median time for a
10,000-character Markdown body written to trip many rules, with its finding count.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from socialbot.checks.model import Kind
from socialbot.checks.runner import checker_for
from socialbot.config_file import load_settings
from socialbot.post_file import load_post

ROOT = Path(__file__).resolve().parents[1]

PARAGRAPH = (
    "2022年6月9日是第15个“世界认可日”，市市场监管局举办“传递质量信任，服务绿色发展”线上主题宣传活动，"
    "通过发布2022年度本市检验检测创新案例、举行“上海品牌”认证获证组织集中颁证仪式等，"
    "集中展现本市检验检测认证行业发展成果和突出作用。见[官网](https://scjgj.sh.gov.cn/)。\n\n"
    "有关单位要再接再励,按步就班地推进工作！！联系电话13812345678，"
    "国家市场监管总局【待补充：文件名称】。\n\n"
)


def long_body(chars: int = 10_000) -> str:
    body = PARAGRAPH * (chars // len(PARAGRAPH) + 1)
    return body[:chars]


def median_ms(fn, rounds: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--config", type=Path, default=ROOT / "config.toml")
    args = parser.parse_args()
    settings = load_settings(args.config)

    start = time.perf_counter()
    checker = checker_for(settings)
    load_ms = (time.perf_counter() - start) * 1000
    posts = [load_post(p, assets_dir=settings.assets_dir)
             for p in sorted(settings.posts_dir.glob("*.md"))]
    chars = sum(len(p.body) for p in posts)
    body = long_body()

    campaign_ms = median_ms(lambda: [checker.check_post(p) for p in posts], args.rounds)
    body_ms = median_ms(lambda: checker.check_text(body, name="body", kind=Kind.MARKDOWN),
                        args.rounds)
    findings = len(checker.check_text(body, name="body", kind=Kind.MARKDOWN).findings)

    entries = {name: checker.lists.size(name) for name, _ in settings.checks.wordlists}
    print(f"word lists parsed and automata built (cold): {load_ms:.1f} ms  {entries}")
    print(f"campaign: {len(posts)} posts, {chars} body characters: "
          f"{campaign_ms:.1f} ms median over {args.rounds} rounds "
          f"({campaign_ms / len(posts):.2f} ms per post)")
    print(f"one {len(body)}-character body, {findings} findings: "
          f"{body_ms:.1f} ms median over {args.rounds} rounds")


if __name__ == "__main__":
    main()
