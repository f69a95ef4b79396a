"""WeChat's error-reaction table (reference §1, §3, §4, §7): one reaction per errcode."""

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


def wechat_rule(code: int, *, token_fetch: bool = False) -> Rule:
    if token_fetch and code in WECHAT_TOKEN_FETCH:
        return WECHAT_TOKEN_FETCH[code]
    return WECHAT.get(code) or _human("微信返回错误 {code}：{errmsg}")
