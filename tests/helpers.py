"""Small builders shared by tests: config files and post files in a temp folder."""

from __future__ import annotations

import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

CONFIG_HEADER = """
timezone = "Asia/Shanghai"
[organisation]
name = "上海市市场监督管理局"
short_name = "上海市场监管"
[campaign]
name = "6·9世界认可日"
theme = "认证认可检验检测：传递质量信任，服务绿色发展"
slogan = "传递质量信任，服务绿色发展"
link = "https://scjgj.sh.gov.cn/"
"""

BASE_CONFIG = CONFIG_HEADER + """[paths]
posts = "{posts}"
templates = "{templates}"
assets = "{assets}"
preview = "out/preview"
[database]
path = "out/socialbot.db"
[accounts.shsmr_wechat]
platform = "wechat"
name = "上海市场监管"
appid = "wx0000000000000001"
secret_env = "TEST_WECHAT_SECRET"
api_base = "http://127.0.0.1:9/wechat"
[accounts.shsmr_weibo]
platform = "weibo"
name = "上海市场监管微博"
uid = "5800000001"
token_env = "TEST_WEIBO_TOKEN"
safe_domains = ["scjgj.sh.gov.cn"]
api_base = "http://127.0.0.1:9/weibo"
"""


def write_config(folder: Path, extra: str = "", **paths: str) -> Path:
    values = {
        "posts": "posts",
        "templates": str(REPO / "templates" / "posts"),
        "assets": str(REPO / "assets"),
    }
    values.update(paths)
    path = folder / "config.toml"
    path.write_text(BASE_CONFIG.format(**values) + textwrap.dedent(extra), encoding="utf-8")
    (folder / "posts").mkdir(exist_ok=True)
    return path


GOOD_POST = """\
---
template: livestream
title: 实验室“云开放”直播预告
author: 上海市场监管
digest: 6月9日，走进检验检测实验室。
date: 2022-06-09
kicker: 直播预告
link: https://scjgj.sh.gov.cn/wad2022/lab
weibo: 6月9日14:00，实验室“云开放”直播，带您走进检验检测一线。
details:
  time: 2022年6月9日 14:00
  platform: 上海市场监管视频号
  labs: [上海市质量监督检验技术研究院]
---
检验检测是**质量的守门人**。本次直播将带您参观实验室。

更多信息见[上海市市场监督管理局](https://scjgj.sh.gov.cn/)网站。
"""


def write_post(folder: Path, name: str = "0609-lab.md", text: str = GOOD_POST) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path

# A news post with {title} and {body} to fill in: the queue and console tests use it.
NEWS_POST = """\
---
template: news
title: {title}
author: 上海市场监管
digest: 今天是第15个“世界认可日”。
date: 2022-06-09
link: https://scjgj.sh.gov.cn/wad2022/world-accreditation-day
weibo: 【6·9世界认可日】{title}，一起来认识身边的认证认可！
---
今天，6月9日，是第15个“世界认可日”。{body}
"""

# A 贴图 (newspic) post for shsmr_wechat: the sample campaign's three picture cards.
NEWSPIC_POST = """\
---
template: newspic
title: {title}
accounts: [shsmr_wechat]
images:
  results: images/epidemic-results.png
  work: images/epidemic-work.png
  defence: images/epidemic-defence.png
details:
  guided_by: 市市场监管局
---
{body}
"""


def newspic_post(title: str = "疫情防控成果展示",
                 body: str = "展现检验检测认证行业疫情防控成果。") -> str:
    return NEWSPIC_POST.format(title=title, body=body)


def modules_loaded_by(cli_args: list[str], watched: tuple[str, ...]) -> tuple[list[str], str]:
    """Run ``socialbot <cli_args>`` in a fresh interpreter; which of ``watched`` it imported,
    and what it printed (start-up cost is mostly imports: this keeps heavy ones out)."""
    import ast
    import sys

    from tests import processes

    probe = (
        "import sys\n"
        "from socialbot.cli import main\n"
        "try:\n"
        f"    main(args={cli_args!r}, standalone_mode=False)\n"
        "except SystemExit:\n"
        "    pass\n"
        "finally:\n"
        f"    print('LOADED', sorted(m for m in {watched!r} if m in sys.modules))\n"
    )
    out = processes.run([sys.executable, "-c", probe], capture_output=True, text=True,
                        check=True, timeout=300).stdout
    loaded = ast.literal_eval(out.rsplit("LOADED ", 1)[1].strip())
    return loaded, out
