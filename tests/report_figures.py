"""Made-up but realistic campaign figures for the report tests (never shipped content).

``figures_data`` builds the JSON a figures file holds: the city bureau, the 16 district
bureaus, Lingang and three institutes, a WeChat account each and a Weibo account for
some, items across the eight activities and per-day follower movement. Numbers come
from a seeded generator, so every run builds the same data.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

from tests.helpers import REPO

ACTIVITIES_FILE = REPO / "campaign" / "activities.toml"
CITY = "上海市市场监督管理局"
DISTRICTS = [f"{d}市场监督管理局" for d in (
    "黄浦区", "徐汇区", "长宁区", "静安区", "普陀区", "虹口区", "杨浦区", "闵行区", "宝山区",
    "嘉定区", "浦东新区", "金山区", "松江区", "青浦区", "奉贤区", "崇明区")]
OTHERS = ["中国（上海）自由贸易试验区临港新片区市场监督管理局", "上海市质量监督检验技术研究院",
          "上海市检验检测认证协会", "上海尚检检测认证技术研究院"]
UNITS = [CITY, *DISTRICTS, *OTHERS]
TITLES = {
    1: ["“传递质量信任，服务绿色发展”主题宣传活动上线", "世界认可日｜检测认证助力疫情防控"],
    2: ["2021年度本市检验检测认证行业发展情况发布"],
    3: ["“上海品牌”认证分论坛举行"],
    4: ["检验检测行业支持复工复产倡议书"],
    5: ["战疫一线的检验检测人", "筑牢防线：检测机构在行动"],
    6: ["复工复产防疫科普：工作场所清洁消毒"],
    7: ["实验室“云开放”直播预告", "走进实验室：看检测如何守护质量"],
    8: ["“沪检云”资质认定系列培训", "小微企业质量管理体系认证宣贯"],
}


def figures_data(units: list[str] | None = None, seed: int = 7, items_per_unit: int = 4,
                 collected: bool = True) -> dict[str, Any]:
    """A figures document; ``collected=False`` leaves some figures out (not collected)."""
    rng = random.Random(seed)
    units = units or UNITS
    accounts, items, days = [], [], []
    for u_index, unit in enumerate(units):
        wechat = {"id": f"u{u_index:02d}_wechat", "name": f"{unit}公众号", "unit": unit,
                  "platform": "wechat"}
        accounts.append(wechat)
        unit_accounts = [wechat]
        if u_index % 3 == 0:
            weibo = {"id": f"u{u_index:02d}_weibo", "name": f"{unit}微博", "unit": unit,
                     "platform": "weibo"}
            accounts.append(weibo)
            unit_accounts.append(weibo)
        if u_index % 7 == 5:
            continue  # a unit that published nothing: a visible gap
        for n in range(items_per_unit):
            activity = rng.choice([1, 1, 5, 5, 7, 8, 8, 2, 3, 4, None])
            title = rng.choice(TITLES[activity]) if activity else "市场监管工作动态"
            day = 1 + rng.randrange(24)
            for account in unit_accounts:
                item_id = f"{account['id']}-{n}"
                src = f"{account['platform']}:{account['id']}:2022-06-{day + 3:02d}"
                if account["platform"] == "wechat":
                    figs = {"reads": rng.randrange(200, 9000), "shares": rng.randrange(5, 300),
                            "zaikan": rng.randrange(0, 80), "likes": rng.randrange(3, 200),
                            "comments": rng.randrange(0, 30)}
                else:
                    figs = {"reposts": rng.randrange(0, 120), "comments": rng.randrange(0, 40),
                            "likes": rng.randrange(2, 300)}
                if not collected and rng.random() < 0.3:
                    figs.pop(rng.choice(sorted(figs)))
                items.append({
                    "id": item_id, "post_id": f"0{6}{day:02d}-{n}", "title": title,
                    "activity": activity, "account": account["id"],
                    "published": f"2022-06-{day:02d} {9 + n % 8:02d}:00",
                    "figures": {k: {"value": v, "source": src} for k, v in figs.items()},
                })
        for account in unit_accounts:
            for day in range(1, 26, 6):
                src = f"{account['platform']}:users:{account['id']}:2022-06-{day:02d}"
                row: dict[str, Any] = {"account": account["id"], "day": f"2022-06-{day:02d}"}
                if collected or rng.random() < 0.7:
                    row["followers_gained"] = {"value": rng.randrange(0, 400), "source": src}
                    row["followers_lost"] = {"value": rng.randrange(0, 40), "source": src}
                days.append(row)
    return {
        "campaign": {"name": "2022年“世界认可日”宣传活动", "theme": "传递质量信任，服务绿色发展",
                     "start": "2022-06-01", "end": "2022-06-25"},
        "reporting_unit": CITY if len(units) > 1 else units[0],
        "units": units,
        "accounts": accounts,
        "items": items,
        "account_days": days,
    }


def write_figures(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), "utf-8")
    return path
