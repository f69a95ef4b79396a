"""The staff page (``GET /``) and article permalinks (``/s/<id>``), in Simplified Chinese.

Built from the same snapshot as ``/_sandbox/state`` so the page never shows something the
API hides. Article HTML is shown as the platform stored it (scripts already removed).
Deliveries look as followers see them (WeChat's chat list with the 2.35:1 big card, Weibo
links as "网页链接"), with what staff need underneath. Every page loads the font subset
for its own text (page_font), so Chinese never falls back to missing system fonts.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from html import escape
from typing import Any

from socialbot.platforms.wechat.crops import crop_style
from socialbot.render.webfont import font_stack
from socialbot_practice.page_font import PageFonts

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
# Around links that work only while the platform runs; the saved copy leaves them out.
LIVE_START, LIVE_END = '<span data-live="">', "</span>"

# A 贴图 opened: its pictures side by side to swipe through, then its text.
NEWSPIC_STYLE = """
.np-strip{display:flex;overflow-x:auto;scroll-snap-type:x mandatory;background:#000;
border-radius:6px;margin:6px 0}
.np-strip figure{flex:0 0 100%;margin:0;scroll-snap-align:start;position:relative;
aspect-ratio:3/4;display:flex;align-items:center;justify-content:center}
.np-strip img{max-width:100%;max-height:100%;object-fit:contain}
.np-strip figcaption{position:absolute;right:8px;top:8px;color:#fff;font-size:12px;
background:rgba(0,0,0,.45);padding:1px 6px;border-radius:8px}
.np-text p{margin:0 0 8px;font-size:15px;color:#222;white-space:pre-wrap}
"""

STYLE = NEWSPIC_STYLE + """
*{box-sizing:border-box}
body{margin:0;background:#f2f3f5;color:#222;line-height:1.5}
body,button,input,code,pre{font-family:FONT_STACK}
header{background:#1f2d3d;color:#fff;padding:14px 24px}
header h1{margin:0;font-size:22px}header p{margin:4px 0 0;font-size:14px;opacity:.9}
header a,.note a{white-space:nowrap}header a{color:#9cd}.note a{color:#576b95}
main{padding:16px 24px 40px;max-width:1160px;margin:0 auto}
section.box{background:#fff;border-radius:8px;padding:12px 18px;margin:0 0 16px}
section.box h2{font-size:19px;margin:4px 0 0}
section.box h3{font-size:16px;margin:18px 0 8px;padding-left:8px;border-left:3px solid #07c160}
.sub,.meta{color:#888;font-size:13px;font-weight:normal;margin:2px 0}
.empty{color:#888;font-size:14px}
.badge{display:inline-block;padding:0 6px;border-radius:3px;font-size:12px;color:#fff;
white-space:nowrap}
.pushed{background:#07c160}.notpushed{background:#fa9d3b}.preview{background:#576b95}
.fail{background:#e64340}
.warn{color:#b35c00;font-size:13px;margin:4px 0}
.chat,.feed{max-width:400px;border-radius:8px;padding:10px 12px}
.chat{background:#ededed}.feed{background:#f2f2f2}
.chat-time{text-align:center;color:#999;font-size:12px;margin:8px 0}
.cards{display:flex;flex-wrap:wrap;gap:16px;align-items:flex-start}
.cards>.item{width:340px;max-width:100%}
.msg{background:#fff;border-radius:6px;overflow:hidden;box-shadow:0 1px 2px rgba(0,0,0,.06)}
.crop{position:relative;overflow:hidden;width:100%;background:#ddd}
.crop img{display:block}
.crop-235{aspect-ratio:2.35/1}
.crop-11{width:48px;height:48px;flex:none;border-radius:3px}
.msg-title{padding:8px 12px 2px;font-size:16px;overflow-wrap:anywhere}
.msg-digest{padding:0 12px 10px;font-size:13px;color:#888;overflow-wrap:anywhere}
.msg-more{display:flex;gap:10px;align-items:center;justify-content:space-between;
padding:8px 12px;border-top:1px solid #eee;font-size:14px;overflow-wrap:anywhere}
.note{font-size:13px;color:#666;margin:6px 2px 14px;overflow-wrap:anywhere}
.crop-sq{aspect-ratio:1/1}
.np-count{position:absolute;right:8px;bottom:8px;background:rgba(0,0,0,.55);color:#fff;
font-size:12px;padding:1px 6px;border-radius:8px}
.note .badge{margin-right:4px}
details summary{cursor:pointer;color:#576b95}
.article-body{border-top:1px dashed #ccc;margin-top:6px;padding-top:6px;max-height:600px;
overflow:auto;background:#fff;padding:8px;border-radius:4px;font-size:15px;color:#222}
.article-body img{max-width:100%;height:auto}
.article-body h4{margin:4px 0}
.wb{background:#fff;border-radius:6px;padding:12px;margin-bottom:4px}
.wb-head{display:flex;gap:10px;align-items:center;margin-bottom:8px}
.wb-avatar{width:40px;height:40px;border-radius:50%;background:#eb7350;color:#fff;
display:flex;align-items:center;justify-content:center;font-size:13px;flex:none}
.wb-name{font-weight:bold;color:#eb7350;font-size:15px;overflow-wrap:anywhere}
.wb-src{font-size:12px;color:#999}
.wb-text{font-size:15px;line-height:1.6;white-space:pre-wrap;overflow-wrap:anywhere}
.wb-link{color:#507daf;text-decoration:none;white-space:nowrap}
.wb-link-icon{width:1.05em;height:1.05em;vertical-align:-.17em;margin-right:1px}
.wb img.pic{width:100%;max-height:420px;object-fit:contain;display:block;margin-top:8px;
border-radius:4px;background:#f6f6f6}
.table-wrap{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:13px}
td,th{border-bottom:1px solid #eee;padding:4px 6px;text-align:left;vertical-align:top}
td{overflow-wrap:anywhere}th{white-space:nowrap}td.ep{overflow-wrap:normal}
.nowrap{white-space:nowrap}.ok{color:#07a050}.err{color:#d33}
code{background:#f6f6f6;padding:0 3px;overflow-wrap:anywhere}
@media (max-width:480px){
header{padding:12px}header h1{font-size:19px}
main{padding:10px 8px 32px}
section.box{padding:10px 10px}
.chat,.feed{padding:8px}
table{font-size:12px}
}
""".replace("FONT_STACK", font_stack())

WEIBO_LINK_LABEL = "网页链接"
# A chain-link icon drawn inline (as on the preview page), so it needs no font or file.
_LINK_ICON = (
    '<svg class="wb-link-icon" viewBox="0 0 16 16" aria-hidden="true">'
    '<g fill="none" stroke="currentColor" stroke-width="1.7" stroke-linecap="round">'
    '<path d="M6.3 9.7l3.4-3.4"/>'
    '<path d="M7.4 4.4l1.2-1.2a2.7 2.7 0 0 1 3.8 3.8l-1.2 1.2"/>'
    '<path d="M8.6 11.6l-1.2 1.2a2.7 2.7 0 0 1-3.8-3.8l1.2-1.2"/></g></svg>'
)


def shown_time(value: str) -> str:
    """A platform time (ISO 8601, Beijing time) as staff write it: 2022-06-09 09:00."""
    try:
        return dt.datetime.fromisoformat(value).strftime("%Y-%m-%d %H:%M")
    except (TypeError, ValueError):
        return value


def _crop(image_url: str, crop: str | None, css_class: str, alt: str) -> str:
    """A box of the crop's aspect ratio showing exactly the crop, as WeChat would."""
    if not image_url:
        return f'<div class="crop {css_class}"></div>'
    style = crop_style(crop) if crop else "width:100%;height:100%;object-fit:cover"
    return (
        f'<div class="crop {css_class}"><img src="{escape(image_url, quote=True)}" '
        f'style="{style}" alt="{escape(alt, quote=True)}"></div>'
    )


def _when(item: dict[str, Any]) -> str:
    return f'<span class="nowrap">{escape(shown_time(item.get("time", "")))}</span>'


def _warnings(items: list[str]) -> str:
    return "".join(f'<p class="warn">⚠ {escape(w)}</p>' for w in items)


def _is_newspic(article: dict[str, Any]) -> bool:
    return article.get("article_type") == "newspic"


def _newspic_card(item: dict[str, Any], first: dict[str, Any]) -> str:
    """A 贴图 in the chat: its first picture (1:1 crop), the picture count and the title."""
    count = len(first.get("image_urls", []))
    cover = _crop(item.get("cover", ""), first.get("cover_crops", {}).get("1_1"),
                  "crop-sq", "贴图封面")
    cover = cover.replace("</div>", f'<span class="np-count">{count} 图</span></div>', 1)
    return (f'<div class="msg" data-testid="wechat-card" data-kind="newspic">{cover}'
            f'<div class="msg-title">{escape(item.get("title", ""))}</div></div>')


def _newspic_view(article: dict[str, Any]) -> str:
    """A 贴图 opened: every picture to swipe through, then its plain text."""
    urls = article.get("image_urls", [])
    slides = "".join(
        f'<figure><img src="{escape(u, quote=True)}" alt="第 {n} 张，共 {len(urls)} 张">'
        f"<figcaption>{n}/{len(urls)}</figcaption></figure>"
        for n, u in enumerate(urls, start=1))
    text = "".join(f"<p>{escape(line)}</p>" for line in article.get("content", "").split("\n")
                   if line.strip())
    return (f'<div class="np-strip" data-testid="newspic-images">{slides}</div>'
            f'<div class="np-text" data-testid="newspic-text">{text}</div>')


def _message(item: dict[str, Any]) -> str:
    """The card a follower sees in the chat: big 2.35:1 cover, title, digest, then one row
    with a 1:1 thumbnail for each further article (a 贴图: its own square card)."""
    articles = item.get("articles", [])
    first = articles[0] if articles else {}
    if _is_newspic(first):
        return _newspic_card(item, first)
    cover = _crop(
        item.get("cover", ""), item.get("crops", {}).get("pic_crop_235_1"), "crop-235", "封面"
    )
    more = "".join(
        f'<div class="msg-more"><span>{escape(a["title"])}</span>'
        f"{_crop(a.get('thumb_url', ''), a.get('pic_crop_1_1'), 'crop-11', '缩略图')}</div>"
        for a in articles[1:]
    )
    digest = first.get("digest", "") if len(articles) <= 1 else ""
    return (
        f'<div class="msg" data-testid="wechat-card">{cover}'
        f'<div class="msg-title">{escape(item.get("title", ""))}</div>'
        + (f'<div class="msg-digest">{escape(digest)}</div>' if digest else "")
        + f"{more}</div>"
    )


def _note(item: dict[str, Any], badge: str) -> str:
    """What staff need under a card: how it was delivered, warnings, the full text."""
    articles = item.get("articles", [])
    link = (
        f'{LIVE_START} · <a href="{escape(item["url"], quote=True)}">文章链接</a>{LIVE_END}'
        if item.get("url")
        else ""
    )
    if articles and _is_newspic(articles[0]):  # a 贴图 is its pictures and text: shown open
        return (f'<div class="note">{badge}{link}{_warnings(item.get("warnings", []))}'
                f"{_newspic_view(articles[0])}</div>")
    bodies = "".join(
        f'<h4>{escape(a["title"])}</h4><p class="meta">{escape(a.get("author", ""))}</p>'
        f"{a['content']}"
        for a in articles
    )
    return (
        f'<div class="note">{badge}{link}{_warnings(item.get("warnings", []))}'
        f'<details><summary>展开全文</summary><div class="article-body">{bodies}</div>'
        "</details></div>"
    )


def _mass_item(item: dict[str, Any]) -> str:
    target = "全部粉丝" if item["to"] == "all" else f"标签 {item['to'].split(':', 1)[1]}"
    filtered = f"，{item['filtered']} 人因本月已收满 4 条被过滤" if item.get("filtered") else ""
    badge = (
        '<span class="badge pushed">已推送给粉丝</span>'
        f"{target} · 送达 {item['recipients']} 人{filtered} · msg_id {item['msg_id']}"
    )
    return (
        f'<p class="chat-time">{escape(shown_time(item.get("time", "")))}</p>'
        f"{_message(item)}{_note(item, badge)}"
    )


def _publish_item(item: dict[str, Any]) -> str:
    status = item["publish_status"]
    css = "notpushed" if status in (0, 1) else "fail"
    badge = (
        f'<span class="badge {css}">已发表 · 未推送给粉丝</span>'
        f"状态：{PUBLISH_STATUS.get(status, f'未知（{status}）')}"
        f" · {_when(item)} · publish_id {escape(item['publish_id'])}"
    )
    return f'<div class="item">{_message(item)}{_note(item, badge)}</div>'


def _preview_item(item: dict[str, Any]) -> str:
    badge = (
        '<span class="badge preview">预览</span>'
        f"只发给 {escape(item['to'])} · {_when(item)}"
    )
    return f'<div class="item">{_message(item)}{_note(item, badge)}</div>'


def _list(css_class: str, items: list[str], empty: str, testid: str) -> str:
    if not items:
        return f'<p class="empty">{empty}</p>'
    return f'<div class="{css_class}" data-testid="{testid}">{"".join(items)}</div>'


def _wechat_section(account: dict[str, Any], data: dict[str, Any]) -> str:
    key = account["appid"]
    kind = account["kind"]
    if kind == "subscription":
        quota = f"今日群发 {account['sends_today']}/1"
    else:
        quota = f"本月群发（全部粉丝）{account['to_all_sends_this_month']}/4"
    unverified = ("" if account.get("verified", True)
                  else " · 未认证：群发、发布接口回答 48001，只能存草稿")
    received = [_mass_item(i) for i in data["received"].get(key, [])]
    published = [_publish_item(i) for i in reversed(data["published"].get(key, []))]
    previews = [_preview_item(i) for i in reversed(data["previews"].get(key, []))]
    drafts = "".join(
        f"<li>{escape('、'.join(d['titles']))} <code>{escape(d['media_id'][:12])}…</code>"
        f"{_warnings(d['warnings'])}</li>"
        for d in account["drafts"]
    )
    return (
        '<section class="box" data-testid="wechat-account">'
        f'<h2>微信公众号：{escape(account["name"])}</h2>'
        f'<p class="sub">{KIND_NAMES.get(kind, kind)} · {escape(key)}'
        f" · 粉丝 {len(account['followers'])} 人 · {quota}{unverified}</p>"
        "<h3>粉丝收到的群发（粉丝的消息列表，最新的在最下面）</h3>"
        f"{_list('chat', received, '还没有群发。', 'wechat-chat')}"
        f"<h3>已发表（未通知粉丝，只有文章链接）</h3>"
        f"{_list('cards', published, '还没有发表。', 'wechat-published')}"
        f"<h3>预览</h3>{_list('cards', previews, '还没有预览。', 'wechat-previews')}"
        f"<h3>草稿箱</h3>{f'<ul>{drafts}</ul>' if drafts else '<p class=empty>草稿箱是空的。</p>'}"
        "</section>"
    )


def _weibo_text(post: dict[str, Any]) -> str:
    """The text as followers see it: each t.cn short link shows as a "网页链接" chip."""
    links: dict[str, str] = post.get("links", {})
    text = post["text_shown"]
    if not links:
        return str(escape(text))
    pattern = re.compile("|".join(re.escape(s) for s in sorted(links, key=len, reverse=True)))
    out, pos = [], 0
    for m in pattern.finditer(text):
        out.append(escape(text[pos : m.start()]))
        href = escape(links[m.group()], quote=True)
        out.append(
            f'<a class="wb-link" href="{href}" title="{href}" rel="noopener noreferrer">'
            f"{_LINK_ICON}{WEIBO_LINK_LABEL}</a>"
        )
        pos = m.end()
    out.append(escape(text[pos:]))
    return "".join(out)


def _weibo_post(account: dict[str, Any], post: dict[str, Any]) -> str:
    pic = (
        f'<img class="pic" src="{escape(post["pic_url"], quote=True)}" alt="配图">'
        if post["pic_url"]
        else ""
    )
    return (
        f'<div class="wb" data-testid="weibo-card"><div class="wb-head">'
        '<div class="wb-avatar">微博</div><div>'
        f'<div class="wb-name">{escape(account["screen_name"])}</div>'
        f'<div class="wb-src">{escape(shown_time(post["time"]))} 来自 练习平台</div></div></div>'
        f'<div class="wb-text" data-testid="weibo-text">{_weibo_text(post)}</div>{pic}</div>'
        f'<p class="note">微博 id {escape(post["idstr"])}</p>'
    )


def _weibo_section(account: dict[str, Any], data: dict[str, Any]) -> str:
    posts = [_weibo_post(account, p) for p in reversed(data["received"].get(account["uid"], []))]
    return (
        f'<section class="box" data-testid="weibo-account">'
        f'<h2>微博：@{escape(account["screen_name"])}</h2>'
        f'<p class="sub">uid {escape(account["uid"])} · 粉丝 {account["followers"]} 人'
        f" · 最近一小时发了 {account['posts_last_hour']}/30 条"
        f" · 授权剩余 {account['token_expires_in'] // 86400} 天</p>"
        "<h3>粉丝看到的微博（最新的在最上面）</h3>"
        f"{_list('feed', posts, '还没有发微博。', 'weibo-feed')}</section>"
    )


def _faults_section(faults: list[dict[str, Any]]) -> str:
    if not faults:
        return (
            '<section class="box"><h2>当前注入的故障</h2>'
            '<p class="empty">没有注入故障。</p></section>'
        )
    rows = "".join(
        f"<tr><td>{f['id']}</td><td>{PLATFORM_NAMES.get(f['platform'], escape(f['platform']))}</td>"
        f'<td class="ep">{_breakable(f["endpoint"])}</td>'
        f"<td>{escape(f['fault'])}</td>"
        f"<td>{'一直有效' if f['times_left'] < 0 else f['times_left']}</td>"
        f"<td>{f['hits']}</td><td>{escape(f['account'] or '全部')}</td>"
        f"<td><code>{escape(json.dumps(f['params'], ensure_ascii=False))}</code></td></tr>"
        for f in faults
    )
    return (
        '<section class="box"><h2>当前注入的故障</h2><div class="table-wrap"><table>'
        "<tr><th>编号</th><th>平台</th><th>接口</th><th>故障</th><th>剩余次数</th>"
        f"<th>已触发</th><th>账号</th><th>参数</th></tr>{rows}</table></div></section>"
    )


def _breakable(endpoint: str) -> str:
    """An API path that wraps only after a "/" or ".", never inside a word."""
    return re.sub(r"([/.])", r"\1<wbr>", escape(endpoint))


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
            f"<tr><td>{escape(shown_time(call['time']))}</td>"
            f"<td>{PLATFORM_NAMES.get(call['platform'], escape(call['platform']))}</td>"
            f'<td class="ep">{escape(call["method"])} {_breakable(call["endpoint"])}</td>'
            f"<td>{escape(call['account'] or '')}</td><td>{result}</td><td>{fault}</td></tr>"
        )
    table = (
        '<div class="table-wrap"><table><tr><th>平台时间</th><th>平台</th><th>接口</th>'
        "<th>账号</th><th>结果</th><th>故障</th></tr>" + "".join(rows) + "</table></div>"
        if rows
        else '<p class="empty">还没有接口调用。</p>'
    )
    return f'<section class="box"><h2>最近的接口调用</h2>{table}</section>'


def _document(title: str, style: str, body: str, fonts: PageFonts) -> str:
    """A whole page that loads the font subset for its own text and shows once it loaded."""
    return (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{style}</style>"
        f"{fonts.head_for(title, body)}</head><body>{body}</body></html>"
    )


def render_home(data: dict[str, Any], fonts: PageFonts) -> str:
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
    body = (
        "<header><h1>socialbot 练习平台</h1>"
        "<p>在本机模拟微信公众号和新浪微博的接口和规则，发到这里的内容不会出现在真实平台上。</p>"
        f"<p>平台时间：{escape(shown_time(data['now']))}（{clock}）{LIVE_START} · "
        f'<a href="/">刷新</a> · <a href="/_sandbox/state">状态 JSON</a>{LIVE_END}</p>'
        "</header><main>"
        + _faults_section(data["faults"])
        + "".join(sections)
        + _calls_section(data["calls"])
        + "</main>"
    )
    return _document("socialbot 练习平台", STYLE, body, fonts)


ARTICLE_STYLE = (
    "*{box-sizing:border-box}"
    f"body{{max-width:680px;margin:20px auto;padding:0 16px;font-family:{font_stack()};"
    "line-height:1.6;color:#222}img{max-width:100%;height:auto}h1{font-size:22px}"
)


def render_article(page: dict[str, Any] | None, idx: int, fonts: PageFonts) -> tuple[int, str]:
    """A permalink page (mass-sent or published article), or the platform's "gone" page."""
    if page is None or page.get("deleted") or not 1 <= idx <= len(page["articles"]):
        return 404, _document("提示", ARTICLE_STYLE, "<p>该内容已被发布者删除或不存在。</p>", fonts)
    article = page["articles"][idx - 1]
    source = article.get("content_source_url")
    more = f'<p><a href="{escape(source, quote=True)}">阅读原文</a></p>' if source else ""
    if _is_newspic(article):
        body = f"{_newspic_view(article)}<h1>{escape(article['title'])}</h1>"
        return 200, _document(article["title"], ARTICLE_STYLE + NEWSPIC_STYLE, body,
                              fonts)
    body = (
        f"<h1>{escape(article['title'])}</h1>"
        f'<p style="color:#888">{escape(article.get("author", ""))} '
        f"{escape(page.get('account_name', ''))}</p>"
        f"{article['content']}{more}"
    )
    return 200, _document(article["title"], ARTICLE_STYLE, body, fonts)
