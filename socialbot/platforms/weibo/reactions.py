"""Weibo's error-reaction table (reference §11): one reaction per error_code."""

from __future__ import annotations

from socialbot.platforms.common.reactions import (
    BUG_NOTE,
    Reaction,
    Rule,
    Wait,
    human_rule,
    later_rule,
    retry_rule,
)

R, P = Reaction, Reaction.PERMANENT
_retry, _later, _human, _BUG = retry_rule, later_rule, human_rule, BUG_NOTE

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


def weibo_rule(code: int) -> Rule:
    return WEIBO.get(code) or _human("微博返回错误 {code}：{errmsg}")
