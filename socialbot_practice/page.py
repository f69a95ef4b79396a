"""The staff page (``GET /``) and article permalinks (``/s/<id>``), in Simplified Chinese.

Built from the same snapshot as ``/_sandbox/state`` so the page never shows something the
API hides. Article HTML is shown as the platform stored it (scripts already removed).
"""

from __future__ import annotations

import json
from html import escape
from typing import Any

KIND_NAMES = {"subscription": "订阅号", "service": "服务号"}
PLATFORM_NAMES = {"wechat": "微信", "weibo": "微博"}
PUBLISH_STATUS = {
    0: "发表成功",
    1: "发表中",
    2: "原创声明失败",
    3: "常规失败",
    4: "平台审核不通过",
    5: "成功后用户删除了所有文章",
    6: "成功后系统封禁了所有文章",
}
RECENT_CALLS_SHOWN = 60

STYLE = """
body{font-family:-apple-system,"PingFang SC","Noto Sans CJK SC","Microsoft YaHei",sans-serif;
margin:0;background:#f2f3f5;color:#222}
header{background:#1f2d3d;color:#fff;padding:16px 24px}header a{color:#9cd}
main{padding:16px 24px;max-width:1100px}
section.box{background:#fff;border-radius:8px;padding:12px 18px;margin:0 0 16px}
h2 small,.meta{color:#888;font-size:13px;font-weight:normal}
.cards{display:flex;flex-wrap:wrap;gap:12px}
.card{width:340px;border:1px solid #e5e5e5;border-radius:6px;overflow:hidden;background:#fff}
.card .body{padding:8px 12px}.card h4{margin:6px 0;font-size:16px}
.cover{width:100%;aspect-ratio:2.35/1;background-color:#ddd;background-repeat:no-repeat}
.square{width:56px;height:56px;float:right;margin-left:8px;background-color:#ddd;
background-repeat:no-repeat}
.badge{display:inline-block;padding:1px 6px;border-radius:3px;font-size:12px;color:#fff}
.pushed{background:#07c160}.notpushed{background:#fa9d3b}.preview{background:#576b95}
.fail{background:#e64340}
.warn{color:#b35c00;font-size:13px;margin:4px 0}
.article-body{border-top:1px dashed #ccc;margin-top:6px;padding-top:6px;max-height:600px;
overflow:auto}.article-body img{max-width:100%}
.weibo{width:420px}.weibo .text{white-space:pre-wrap;line-height:1.6}
.weibo img.pic{max-width:100%;max-height:360px;display:block;margin-top:6px}
table{border-collapse:collapse;width:100%;font-size:13px}
td,th{border-bottom:1px solid #eee;padding:4px 6px;text-align:left}
.ok{color:#07a050}.err{color:#d33}
code{background:#f6f6f6;padding:0 3px}
"""


def _crop_style(cover: str, crop: str | None) -> str:
    """CSS that shows exactly the crop rectangle of the cover, as WeChat would."""
    style = f"background-image:url('{escape(cover, quote=True)}');"
    if not crop:
        return style + "background-size:cover;background-position:center"
    x1, y1, x2, y2 = (float(v) for v in crop.split("_"))
    width, height = max(x2 - x1, 1e-6), max(y2 - y1, 1e-6)

    def offset(start: float, span: float) -> float:
        return 0.0 if span >= 1 else start / (1 - span) * 100

    return (
        style
        + f"background-size:{100 / width:.3f}% {100 / height:.3f}%;"
        + f"background-position:{offset(x1, width):.3f}% {offset(y1, height):.3f}%"
    )


def _warnings(items: list[str]) -> str:
    return "".join(f'<p class="warn">⚠ {escape(w)}</p>' for w in items)


def _article_card(item: dict[str, Any], badge: str) -> str:
    articles = item.get("articles", [])
    first = articles[0] if articles else {}
    cover = _crop_style(item.get("cover", ""), item.get("crops", {}).get("pic_crop_235_1"))
    more = "".join(
        f'<p><span class="square" style="{_crop_style(a["thumb_url"], a.get("pic_crop_1_1"))}">'
        f"</span>{escape(a['title'])}</p>"
        for a in articles[1:]
    )
    link = f' · <a href="{escape(item["url"], quote=True)}">文章链接</a>' if item.get("url") else ""
    bodies = "".join(
        f'<h4>{escape(a["title"])}</h4><p class="meta">{escape(a.get("author", ""))}</p>'
        f'<div class="article-body">{a["content"]}</div>'
        for a in articles
    )
    return (
        f'<div class="card"><div class="cover" style="{cover}"></div><div class="body">'
        f"{badge}<h4>{escape(item.get('title', ''))}</h4>"
        f'<p class="meta">{escape(first.get("digest", ""))}</p>{more}'
        f'<p class="meta">{escape(item.get("time", ""))}{link}</p>'
        f"{_warnings(item.get('warnings', []))}"
        f"<details><summary>展开全文</summary>{bodies}</details></div></div>"
    )


def _mass_card(item: dict[str, Any]) -> str:
    target = "全部粉丝" if item["to"] == "all" else f"标签 {item['to'].split(':', 1)[1]}"
    filtered = f"，{item['filtered']} 人因本月已收满 4 条被过滤" if item.get("filtered") else ""
    badge = (
        f'<span class="badge pushed">已推送给粉丝</span> '
        f'<span class="meta">{target} · 送达 {item["recipients"]} 人{filtered}'
        f" · msg_id {item['msg_id']}</span>"
    )
    return _article_card(item, badge)


def _publish_card(item: dict[str, Any]) -> str:
    status = item["publish_status"]
    css = "notpushed" if status in (0, 1) else "fail"
    badge = (
        f'<span class="badge {css}">已发表 · 未推送给粉丝</span> '
        f'<span class="meta">状态：{PUBLISH_STATUS.get(status, f"未知（{status}）")}'
        f" · publish_id {escape(item['publish_id'])}</span>"
    )
    return _article_card(item, badge)


def _preview_card(item: dict[str, Any]) -> str:
    badge = (
        '<span class="badge preview">预览</span> '
        f'<span class="meta">只发给 {escape(item["to"])}</span>'
    )
    return _article_card(item, badge)


def _cards(items: list[str], empty: str) -> str:
    return f'<div class="cards">{"".join(items)}</div>' if items else f'<p class="meta">{empty}</p>'


def _wechat_section(account: dict[str, Any], data: dict[str, Any]) -> str:
    key = account["appid"]
    kind = account["kind"]
    if kind == "subscription":
        quota = f"今日群发 {account['sends_today']}/1"
    else:
        quota = f"本月群发（全部粉丝）{account['to_all_sends_this_month']}/4"
    received = [_mass_card(i) for i in reversed(data["received"].get(key, []))]
    published = [_publish_card(i) for i in reversed(data["published"].get(key, []))]
    previews = [_preview_card(i) for i in reversed(data["previews"].get(key, []))]
    drafts = "".join(
        f"<li>{escape('、'.join(d['titles']))} <code>{escape(d['media_id'][:12])}…</code>"
        f"{_warnings(d['warnings'])}</li>"
        for d in account["drafts"]
    )
    return (
        f'<section class="box"><h2>微信公众号：{escape(account["name"])} '
        f"<small>{KIND_NAMES.get(kind, kind)} · {escape(key)} · 粉丝 {len(account['followers'])} 人"
        f" · {quota}</small></h2>"
        f"<h3>粉丝收到的群发（会出现在粉丝的消息列表）</h3>{_cards(received, '还没有群发。')}"
        f"<h3>已发表（未通知粉丝，只有文章链接）</h3>{_cards(published, '还没有发表。')}"
        f"<h3>预览</h3>{_cards(previews, '还没有预览。')}"
        f"<h3>草稿箱</h3>{f'<ul>{drafts}</ul>' if drafts else '<p class=meta>草稿箱是空的。</p>'}"
        "</section>"
    )


def _weibo_text(post: dict[str, Any]) -> str:
    text = escape(post["text_shown"])
    for short, original in post.get("links", {}).items():
        href = escape(original, quote=True)
        anchor = f'<a href="{href}" title="{href}">{short}</a>'
        text = text.replace(escape(short), anchor)
    return text


def _weibo_section(account: dict[str, Any], data: dict[str, Any]) -> str:
    posts = []
    for post in reversed(data["received"].get(account["uid"], [])):
        pic = (
            f'<img class="pic" src="{escape(post["pic_url"], quote=True)}" alt="配图">'
            if post["pic_url"]
            else ""
        )
        posts.append(
            f'<div class="card weibo"><div class="body"><b>@{escape(account["screen_name"])}</b>'
            f'<p class="meta">{escape(post["time"])} 来自 练习平台 · id {post["idstr"]}</p>'
            f'<div class="text">{_weibo_text(post)}</div>{pic}</div></div>'
        )
    return (
        f'<section class="box"><h2>微博：@{escape(account["screen_name"])} '
        f"<small>uid {escape(account['uid'])} · 粉丝 {account['followers']} 人"
        f" · 最近一小时发了 {account['posts_last_hour']}/30 条"
        f" · 授权剩余 {account['token_expires_in'] // 86400} 天</small></h2>"
        f"{_cards(posts, '还没有发微博。')}</section>"
    )


def _faults_section(faults: list[dict[str, Any]]) -> str:
    if not faults:
        return (
            '<section class="box"><h2>当前注入的故障</h2>'
            '<p class="meta">没有注入故障。</p></section>'
        )
    rows = "".join(
        f"<tr><td>{f['id']}</td><td>{PLATFORM_NAMES.get(f['platform'], escape(f['platform']))}</td>"
        f"<td>{escape(f['endpoint'])}</td>"
        f"<td>{escape(f['fault'])}</td>"
        f"<td>{'一直有效' if f['times_left'] < 0 else f['times_left']}</td>"
        f"<td>{f['hits']}</td><td>{escape(f['account'] or '全部')}</td>"
        f"<td><code>{escape(json.dumps(f['params'], ensure_ascii=False))}</code></td></tr>"
        for f in faults
    )
    return (
        '<section class="box"><h2>当前注入的故障</h2><table><tr><th>编号</th><th>平台</th>'
        "<th>接口</th><th>故障</th><th>剩余次数</th><th>已触发</th><th>账号</th><th>参数</th></tr>"
        f"{rows}</table></section>"
    )


def _calls_section(calls: list[dict[str, Any]]) -> str:
    rows = []
    for call in reversed(calls[-RECENT_CALLS_SHOWN:]):
        code = call["errcode"]
        if call["fault"] and code is None:
            result = '<span class="err">无响应/异常</span>'
        elif code == 0:
            result = '<span class="ok">成功</span>'
        else:
            result = f'<span class="err">错误 {code}</span>'
        fault = f"注入：{escape(call['fault'])}" if call["fault"] else ""
        rows.append(
            f"<tr><td>{escape(call['time'])}</td>"
            f"<td>{PLATFORM_NAMES.get(call['platform'], escape(call['platform']))}</td>"
            f"<td>{escape(call['method'])} {escape(call['endpoint'])}</td>"
            f"<td>{escape(call['account'] or '')}</td><td>{result}</td><td>{fault}</td></tr>"
        )
    table = (
        "<table><tr><th>平台时间</th><th>平台</th><th>接口</th><th>账号</th><th>结果</th><th>故障</th></tr>"
        + "".join(rows)
        + "</table>"
        if rows
        else '<p class="meta">还没有接口调用。</p>'
    )
    return f'<section class="box"><h2>最近的接口调用</h2>{table}</section>'


def render_home(data: dict[str, Any]) -> str:
    """The whole staff page from a :func:`socialbot_practice.control.snapshot`."""
    clock = "真实时间" if data["clock_is_real"] else "已调整过的平台时间"
    accounts = data["accounts"]
    sections = [_wechat_section(a, data) for a in accounts["wechat"]]
    sections += [_weibo_section(a, data) for a in accounts["weibo"]]
    if not sections:
        sections.append(
            '<section class="box"><h2>还没有账号</h2>'
            "<p>用 <code>POST /_sandbox/accounts/wechat</code> "
            "或 <code>POST /_sandbox/accounts/weibo</code> 添加练习账号。</p></section>"
        )
    return (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>socialbot 练习平台</title><style>{STYLE}</style></head><body>"
        "<header><h1>socialbot 练习平台</h1>"
        "<p>在本机模拟微信公众号和新浪微博的接口和规则，发到这里的内容不会出现在真实平台上。</p>"
        f'<p>平台时间：{escape(data["now"])}（{clock}） · <a href="/">刷新</a> · '
        '<a href="/_sandbox/state">状态 JSON</a></p></header><main>'
        + _faults_section(data["faults"])
        + "".join(sections)
        + _calls_section(data["calls"])
        + "</main></body></html>"
    )


def render_article(page: dict[str, Any] | None, idx: int) -> tuple[int, str]:
    """A permalink page (mass-sent or published article), or the platform's "gone" page."""
    head = '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
    if page is None or page.get("deleted") or not 1 <= idx <= len(page["articles"]):
        return (
            404,
            f"{head}<title>提示</title></head><body><p>该内容已被发布者删除或不存在。</p></body></html>",
        )
    article = page["articles"][idx - 1]
    source = article.get("content_source_url")
    more = f'<p><a href="{escape(source, quote=True)}">阅读原文</a></p>' if source else ""
    return 200, (
        f"{head}<title>{escape(article['title'])}</title>"
        "<style>body{max-width:680px;margin:20px auto;padding:0 16px;font-family:sans-serif}"
        "img{max-width:100%}</style></head><body>"
        f"<h1>{escape(article['title'])}</h1>"
        f'<p style="color:#888">{escape(article.get("author", ""))} '
        f"{escape(page.get('account_name', ''))}</p>"
        f"{article['content']}{more}</body></html>"
    )
