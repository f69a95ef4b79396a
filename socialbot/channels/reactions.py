"""What the bot does about each platform error: one reaction per code, from one table.

Reactions (reference §1, §3, §4, §7 for WeChat; §11 for Weibo):

* ``retry``: transient; retried inside the call with backoff, then ``Outcome.RETRY``.
* ``refresh_token``: refresh the WeChat token once (under a lease) and repeat the call once.
* ``reschedule``: the platform says "not now" (quota); ``Outcome.RESCHEDULE`` with retry_at.
* ``already_done``: the platform already has it (45065, 20019 ...); recorded as sent.
* ``permanent``: a person must act; ``Outcome.FAILED`` with the Chinese message below.
* ``unknown``: the platform may have acted (answer lost after a publishing call);
  ``Outcome.UNKNOWN`` so the queue reconciles before anything is sent again.

Messages are for staff: what happened and what to do, in Chinese. ``{errmsg}``, ``{ip}``
and ``{code}`` are filled in from the platform's answer.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


class Reaction(StrEnum):
    OK = "ok"
    RETRY = "retry"
    REFRESH_TOKEN = "refresh_token"
    RESCHEDULE = "reschedule"
    ALREADY_DONE = "already_done"
    PERMANENT = "permanent"
    UNKNOWN = "unknown"


REACTION_LABELS: dict[str, str] = {  # what staff read for each call in a delivery's history
    Reaction.OK: "成功",
    Reaction.RETRY: "暂时失败，可重试",
    Reaction.REFRESH_TOKEN: "凭证失效，已刷新",
    Reaction.RESCHEDULE: "额度已满，需改期",
    Reaction.ALREADY_DONE: "已发过，未重复发布",
    Reaction.PERMANENT: "被拒绝，需要人工处理",
    Reaction.UNKNOWN: "结果未知",
}


class Wait(StrEnum):
    """When a rescheduled call may be tried again."""

    MASS_QUOTA = "mass_quota"  # 45028: next day (subscription) / next month (service)
    TOMORROW = "tomorrow"  # daily quota
    NEXT_HOUR = "next_hour"  # Weibo hourly limits
    ONE_HOUR = "one_hour"  # Weibo "posting too often": at least an hour
    HALF_HOUR = "half_hour"


@dataclass(frozen=True)
class Rule:
    reaction: Reaction
    message: str
    wait: Wait | None = None  # for RESCHEDULE
    delay: float = 0.0  # minimum seconds before an in-call retry

    def explain(self, code: object = "", errmsg: str = "") -> str:
        """The staff message with the platform's details filled in."""
        shown = strip_rid(errmsg) or "（无说明）"
        values = {"code": code, "errmsg": shown, "ip": parse_ip(errmsg) or "（见错误信息）"}
        return self.message.format(**values)


R, P = Reaction, Reaction.PERMANENT


def _retry(message: str, delay: float = 0.0) -> Rule:
    return Rule(R.RETRY, message, delay=delay)


def _later(message: str, wait: Wait) -> Rule:
    return Rule(R.RESCHEDULE, message, wait=wait)


def _human(message: str) -> Rule:
    return Rule(P, message)


_BUG = "（程序错误，请把这条记录转给开发人员）"
_WX_CONTENT = "内容被微信拒绝：{errmsg}。请修改稿件后重新审核发布"
_WX_REFRESH = "access_token 无效或已过期，刷新一次后重试"
_WX_PROTECT = (
    "群发正在等待管理员确认（已开启群发保护）：请管理员在 30 分钟内在手机微信上确认"
)

WECHAT: dict[int, Rule] = {
    -1: _retry("微信系统繁忙"),
    # access_token
    40001: Rule(R.REFRESH_TOKEN, _WX_REFRESH),
    40014: Rule(R.REFRESH_TOKEN, _WX_REFRESH),
    42001: Rule(R.REFRESH_TOKEN, _WX_REFRESH),
    41001: _human("请求缺少 access_token" + _BUG),
    40002: _human("获取 access_token 的 grant_type 不正确" + _BUG),
    40013: _human("AppID 无效：请核对 config.toml 中该账号的 appid"),
    40125: _human("AppSecret 错误：请核对该账号密钥（环境变量或密钥文件）是否与公众号后台一致"),
    41002: _human("请求缺少 appid：请核对 config.toml 中该账号的 appid"),
    41004: _human("请求缺少 AppSecret：请设置该账号的密钥"),
    40164: _human(
        "调用接口的 IP {ip} 不在公众号的 IP 白名单中。请公众号管理员到 公众号后台 → 设置与开发 → "
        "基本配置 → IP白名单 添加 {ip}，约 5 分钟后生效，再重新发布"
    ),
    40243: _human("公众号 AppSecret 已被冻结，请管理员登录公众号后台解冻或重置 AppSecret"),
    # media and drafts
    40004: _human("素材类型不正确" + _BUG),
    40005: _human("图片文件类型不受支持，请使用 JPG 或 PNG 图片"),
    40137: _human("图片格式不受支持，请使用 JPG 或 PNG 图片"),
    40007: _human("素材或草稿的 media_id 无效（可能已在后台删除或已发布），请重新发布"),
    40009: _human("图片大小不符合要求（正文图片须为 1MB 以下的 JPG/PNG），请换一张较小的图片"),
    41005: _human("上传的文件为空" + _BUG),
    45001: _human("图片文件过大（封面不超过 10MB，正文图片不超过 1MB），请压缩后重试"),
    40033: _human("请求中含有 \\uxxxx 转义字符" + _BUG),
    40097: _human("参数错误：{errmsg}" + _BUG),
    44003: _human("图文内容为空（缺少标题或文章）"),
    44004: _human("正文为空，请检查稿件"),
    45002: _human("正文过长（不超过 2 万字、1MB），请删减"),
    45003: _human("标题过长（不超过 32 个字），请修改标题"),
    45004: _human("摘要过长（不超过 128 个字），请修改摘要"),
    45005: _human("“阅读原文”链接过长（不超过 1KB）"),
    45008: _human("一条图文消息最多 8 篇文章"),
    45110: _human("作者名过长（不超过 16 个字），请修改作者"),
    45166: _human(_WX_CONTENT + "（常见原因：正文中含有外部超链接或不允许的标签）"),
    47001: _human("请求数据格式错误" + _BUG),
    61451: _human("参数错误：{errmsg}" + _BUG),
    43001: _human("请求方式错误（需 GET）" + _BUG),
    43002: _human("请求方式错误（需 POST）" + _BUG),
    # quotas
    45009: _later("今天的接口调用次数已用完，已改到明天再发", Wait.TOMORROW),
    45011: _retry("接口每分钟调用次数超限，等待一分钟后重试", delay=60.0),
    45028: _later(
        "群发次数已用完（订阅号每天 1 次，服务号每月 4 次），已改到下一个可群发的时间",
        Wait.MASS_QUOTA,
    ),
    45047: _human("客服消息超过下发条数限制（与群发无关）"),
    # mass send
    45065: Rule(R.ALREADY_DONE, "这条群发已经发送过（clientmsgid 相同），记为已发送，不会重复群发"),
    45066: _retry("同一群发请求重试过快，等待一分钟后重试", delay=60.0),
    45067: _human("clientmsgid 过长" + _BUG),
    45159: _human("粉丝标签 tag_id 无效：请核对 config.toml 中该账号的 tag_id"),
    40008: _human("消息类型不正确" + _BUG),
    40059: _human("群发消息 ID 无效" + _BUG),
    40060: _human("文章序号 article_idx 无效" + _BUG),
    40066: _human("链接无效：群发内容中不能含外部链接，请删除后重试"),
    43004: _human("预览接收人没有关注该公众号，请先关注再预览"),
    45083: _human("群发速度设置超出范围" + _BUG),
    45084: _human("没有设置群发速度" + _BUG),
    89504: Rule(R.UNKNOWN, _WX_PROTECT),
    89505: Rule(R.UNKNOWN, _WX_PROTECT),
    # permissions and account state
    48001: _human(
        "账号未获得该接口权限，请确认公众号已认证"
        "（个人主体或未认证的公众号不能用草稿、发布和群发接口）"
    ),
    48004: _human("该接口已被微信禁用，请管理员登录公众号后台查看通知"),
    50002: _human("公众号被封禁或受限，请管理员登录公众号后台查看"),
    50005: _human("接收人没有关注公众号"),
    # freepublish
    53503: _human("草稿未通过发布检查：{errmsg}。请修改内容后重新发布"),
    53504: _human("这篇草稿只能在公众号后台手动发布，请到后台 → 草稿箱 操作"),
    53505: _human("请先在公众号后台手动保存这篇草稿（草稿箱 → 编辑 → 保存），再重新发布"),
}

#: A token error again right after a refresh: stop (wechatpy would loop here).
WECHAT_TOKEN_STILL_INVALID = _human(
    "access_token 刷新后仍被拒绝（可能有其他系统用同一 AppSecret 强制刷新了凭证），"
    "请检查是否还有别的程序在使用这个公众号的 AppSecret"
)

#: Errors on the token request itself mean the credentials are wrong, not the token.
WECHAT_TOKEN_FETCH: dict[int, Rule] = {
    40001: _human(
        "AppSecret 错误或已重置：请核对该账号的密钥是否与"
        "公众号后台 → 设置与开发 → 基本配置 中一致"
    ),
    40125: WECHAT[40125],
    40013: WECHAT[40013],
}

#: freepublish/get ``publish_status`` (reference §3).
PUBLISH_STATUS: dict[int, Rule] = {
    0: Rule(R.OK, "发布成功"),
    1: Rule(R.UNKNOWN, "微信仍在发布中，稍后会再查询结果"),
    2: _human("原创声明未通过，文章没有发布。请在公众号后台检查原创声明后重新发布"),
    3: _human(
        "常规发布失败（失败的文章序号：{errmsg}）。请在公众号后台 → 发表记录 查看原因后重新发布"
    ),
    4: _human("平台审核未通过，文章没有发布。请修改内容后重新发布"),
    5: _human("文章发布成功后已被删除"),
    6: _human("文章发布成功后已被系统封禁，请管理员登录公众号后台查看"),
}
UNKNOWN_PUBLISH_STATUS = _human(
    "发布失败（微信返回了未知的发布状态 {code}），请到公众号后台 → 发表记录 查看"
)

_WB_REAUTH = "微博授权已过期或失效，请重新授权（用发布账号登录微博开放平台重新获取 access_token）"
_WB_CONTENT = "内容被微博拒绝：{errmsg}。请修改稿件后重新审核发布"

WEIBO: dict[int, Rule] = {
    10001: _retry("微博系统错误"),
    10002: _retry("微博服务暂停"),
    10003: _retry("微博远程服务错误"),
    10009: _retry("微博任务过多，系统繁忙"),
    10010: _retry("微博任务超时"),
    10011: _retry("微博 RPC 错误"),
    10004: _human("服务器 IP 被微博限制，请联系微博开放平台"),
    10019: _human("服务器 IP 被微博限制，请联系微博开放平台"),
    10005: _human("微博应用没有该权限，请在微博开放平台检查应用权限"),
    10014: _human("微博应用权限不足（发微博只能用 statuses/share 接口）" + _BUG),
    10006: _human("缺少应用 appkey" + _BUG),
    10007: _human("不支持的媒体类型" + _BUG),
    10008: _human("参数错误：{errmsg}（微博正文不能含 #话题#）"),
    10016: _human("缺少必填参数：{errmsg}" + _BUG),
    10017: _human(
        "链接不在安全域名下，或应用未绑定安全域名：请确认正文链接属于微博应用的安全域名"
        "（微博开放平台 → 我的应用 → 应用信息 → 安全域名）"
    ),
    10012: _human("微博认为这是非法请求，请联系微博开放平台"),
    10013: _human("微博账号异常（不合法的微博用户），请检查账号状态"),
    10018: _human("请求内容过长，请缩短微博正文或图片"),
    10020: _human("接口不存在" + _BUG),
    10021: _human("请求方式错误" + _BUG),
    10022: _later("服务器 IP 本小时请求次数已达上限，已改到下个小时再发", Wait.NEXT_HOUR),
    10023: _later("账号本小时请求次数已达上限，已改到下个小时再发", Wait.NEXT_HOUR),
    10024: _later("账号本小时发微博次数已达上限，已改到下个小时再发", Wait.NEXT_HOUR),
    20003: _human("微博用户不存在，请核对 config.toml 中的 uid"),
    20005: _human("图片类型不受支持（只支持 JPG、GIF、PNG）"),
    20006: _human("图片太大（须小于 5MB），请压缩后重试"),
    20007: _human("图片没有按 multipart 上传" + _BUG),
    20008: _human("微博正文为空，请检查稿件"),
    20012: _human("微博正文超过 140 字，请删减"),
    20015: _human("账号、IP 或应用被微博判定为非法，请登录微博查看"),
    20016: _later("发微博过于频繁，已改到一小时后再发", Wait.ONE_HOUR),
    20017: _human("微博认为这条与最近发过的内容相似，请修改正文后再发"),
    20018: _human("正文中含有被微博禁止的网址，请删除或更换链接"),
    20019: Rule(R.ALREADY_DONE, "微博提示内容重复：这条已经发过，记为已发送"),
    20111: Rule(R.ALREADY_DONE, "微博提示内容重复：这条已经发过，记为已发送"),
    20020: _human("微博认为内容含广告：{errmsg}。请修改稿件"),
    20021: _human(_WB_CONTENT),
    20022: _human("该 IP 行为异常，微博已暂停发布，请登录微博查看"),
    20031: _human("微博要求输入验证码，请登录微博网页版发一条后再试"),
    20032: Rule(R.ALREADY_DONE, "微博已受理发布，但服务器处理较慢，将在时间线中核对"),
    20034: _human("微博账号被锁定，请登录微博解锁"),
    21301: _human(_WB_REAUTH),
    21314: _human(_WB_REAUTH),
    21315: _human(_WB_REAUTH),
    21316: _human(_WB_REAUTH),
    21317: _human(_WB_REAUTH),
    21319: _human(_WB_REAUTH),
    21327: _human(_WB_REAUTH),
    21332: _human(_WB_REAUTH),
    21325: _human(_WB_REAUTH),
    21321: _human("微博应用未通过审核，授权用户数已达上限，请先提交应用审核"),
    21322: _human("OAuth 回调地址不匹配" + _BUG),
    21323: _human("OAuth 请求不合法" + _BUG),
    21324: _human("OAuth 应用（client）无效，请核对微博应用 appkey"),
    21326: _human("微博应用未获授权" + _BUG),
    21328: _human("不支持的授权类型" + _BUG),
    21329: _human("不支持的响应类型" + _BUG),
    21330: _human("用户拒绝了授权，请重新授权"),
    21331: _retry("微博授权服务暂时不可用"),
    21335: _human("uid 与授权账号不一致：请核对 config.toml 中的 uid"),
    21337: _human("微博应用 appkey 权限不足，请在微博开放平台检查"),
}

_TRANSPORT_TEXT = {
    "connect": "连接不上{platform}服务器",
    "connect_timeout": "连接{platform}服务器超时",
    "timeout": "等待{platform}答复超时",
    "dropped": "{platform}服务器中断了连接",
    "http": "{platform}服务器返回 HTTP {code}",
    "garbage": "{platform}返回了无法识别的内容",
}
SENT_KINDS = ("timeout", "dropped", "http", "garbage")  # the request reached the platform


def transport_text(kind: str, platform: str, status: int = 0) -> str:
    """What went wrong on the wire, in words (``timeout`` → 等待微信答复超时)."""
    return _TRANSPORT_TEXT[kind].format(platform=platform, code=status)


def transport_rule(kind: str, platform: str, *, safe: bool, status: int = 0) -> Rule:
    """Network trouble: retry, unless a publishing call may already have gone through."""
    text = transport_text(kind, platform, status)
    if kind == "http" and 400 <= status < 500:
        return _human(text + _BUG)
    if safe or kind not in SENT_KINDS:
        return _retry(text)
    return Rule(
        R.UNKNOWN,
        text + "：请求已经发出，平台可能已经发布。系统会先核对结果，不会直接重发",
    )


def wechat_rule(code: int, *, token_fetch: bool = False) -> Rule:
    if token_fetch and code in WECHAT_TOKEN_FETCH:
        return WECHAT_TOKEN_FETCH[code]
    return WECHAT.get(code) or _human("微信返回错误 {code}：{errmsg}")


def weibo_rule(code: int) -> Rule:
    return WEIBO.get(code) or _human("微博返回错误 {code}：{errmsg}")


_IP_RE = re.compile(r"invalid ip ([0-9a-fA-F.:]+)")
_RID_RE = re.compile(r"\s*rid:\s*([0-9A-Za-z\-]+)")


def parse_ip(errmsg: str) -> str:
    """The caller IP named by 40164's ``invalid ip 1.2.3.4 ipv6 ..., not in whitelist``."""
    match = _IP_RE.search(errmsg or "")
    return match.group(1) if match else ""


def strip_rid(errmsg: str) -> str:
    """The platform's message without its ``rid: ...`` suffix (kept separately)."""
    return _RID_RE.sub("", errmsg or "").strip()


def parse_rid(errmsg: str) -> str:
    """WeChat's request id from ``... rid: 6650-0a1b-...`` (support asks for it)."""
    match = _RID_RE.search(errmsg or "")
    return match.group(1) if match else ""


def retry_time(wait: Wait, now: dt.datetime, *, wechat_kind: str = "subscription") -> dt.datetime:
    """When a rescheduled call may run again; quotas reset on Beijing time."""
    local = now.astimezone(SHANGHAI)
    if wait is Wait.MASS_QUOTA and wechat_kind == "service":
        first = (local.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
        return first.replace(hour=0, minute=5, second=0, microsecond=0)
    if wait in (Wait.MASS_QUOTA, Wait.TOMORROW):
        tomorrow = local + dt.timedelta(days=1)
        return tomorrow.replace(hour=0, minute=5, second=0, microsecond=0)
    if wait is Wait.NEXT_HOUR:
        top = local.replace(minute=0, second=0, microsecond=0) + dt.timedelta(hours=1)
        return top + dt.timedelta(minutes=1)
    if wait is Wait.HALF_HOUR:
        return local + dt.timedelta(minutes=30)
    return local + dt.timedelta(hours=1)
