"""The catalog: notice code -> Chinese template, and location code -> Chinese name.

Codes are dotted by area (``queue.``, ``review.``, ``actions.``, ``claims.``, ...).
Keep each entry's wording exactly as staff have been reading it.
"""

from __future__ import annotations

CATALOG: dict[str, str] = {
    # Filled per store area; every code the store uses must be here.
    # database
    "database.locked": ("数据库正被其他程序占用，等待超时。请稍后重试；"
                        "如果一直如此，请检查是否有卡住的 socialbot 进程"),
    "database.disk": ("读写数据库文件时磁盘出错。请检查磁盘是否已满或损坏、"
                      "数据库文件是否在可用的磁盘上，然后重试"),
    "database.full": "磁盘已满，数据库无法写入。请清理磁盘空间后重试",
    "database.read_only": ("数据库是只读的，无法写入。请检查数据库文件及其所在文件夹的写权限，"
                           "或把 [database] 指向可写的位置"),
    "database.cannot_open": ("无法打开数据库文件。请检查 [database] path 指向的文件夹是否存在、"
                             "是否有读写权限"),
    "database.corrupt": ("数据库文件已损坏，或不是 socialbot 的数据库。"
                         "请检查 [database] path；如有备份，请从备份恢复"),
    "database.no_table": ("数据库里缺少 socialbot 需要的表，可能指向了别的数据库，或数据库不完整。"
                          "请检查 [database] 的设置"),
    "database.no_database": ("PostgreSQL 中没有这个数据库。请先创建它，"
                             "或检查 [database] url 中的数据库名"),
    "database.login": "PostgreSQL 拒绝登录。请检查 [database] url 中的用户名和密码",
    "database.denied": "数据库拒绝了这次操作（权限不足）。请让数据库管理员给该用户授予读写权限",
    "database.unreachable": ("无法连接 PostgreSQL 数据库。请确认数据库服务已启动，"
                             "[database] url 中的地址和端口正确，且本机能连到它"),
    "database.dropped": "与数据库的连接中断。请稍后重试；如果一直如此，请检查数据库服务是否正常",
    "database.busy": "数据库的连接数已满。请稍后重试，或请数据库管理员调大连接上限",
    "database.no_driver": "缺少 PostgreSQL 驱动。请安装：pip install 'socialbot[postgres]'",
    "database.bad_url": ("数据库地址无法识别。"
                         "格式如 postgresql+psycopg://用户名:密码@主机:5432/数据库名"),
    "database.os": "无法访问（{reason}）",
    "database.other": ("数据库出错，操作没有完成（错误类型 {kind}）。请稍后重试；"
                       "如果一直如此，请把这条信息和发生的时间告诉技术人员"),
    "database.no_folder": "无法创建数据库所在的文件夹 {folder}（{reason}），请检查 [database] path",
    # queue
    "queue.refused": "未加入队列，请修改后重试",
    "queue.unknown_accounts": "未知账号 {unknown:list}（配置中的账号：{known:list}）",
    "queue.no_accounts": "没有指定发布账号：请用 --to 指定，或在稿件头信息里写 accounts",
    "queue.no_time": "缺少发布时间（--at）或周期（--cron）",
    "queue.past": "发布时间 {at} 已经过去（现在是 {now}）",
    "queue.cron_empty": "在截止时间之前没有任何一次发布",
    "queue.sent_before": "稿件 {post} 的相同内容已发送过（编号 {id}），不会重复发布",
    "queue.duplicate": ("稿件 {post} 已在队列中（编号 {id}，{state:state}），不能重复加入；"
                        "改时间请用 queue reschedule {id}，不再需要请用 queue cancel {id}"),
    "queue.message_full": ("{account} 在 {full}（北京时间）的群发消息已有 {capacity} 篇文章，"
                           "达到上限 {capacity} 篇，不能再加入。下一个还有空位的日期：{day}"
                           "（用 --at 改到那天，或先从当天消息中取消一篇）"),
    "queue.quota_full": ("{rule}，{at} 所在时段已排满（已用 {used}/{limit}）。"
                         "下一个可用时间：{free}"),
    "queue.quota_full_later": ("{rule}，{at} 所在时段已排满（已用 {used}/{limit}）。"
                               "近期没有可用额度"),
    "queue.added": "{entry}：{title}；发布时间 {times:list}",
    "queue.added_by": "{entry}：{title}；发布时间 {times:list}；由 {by} 操作",
    "queue.added_series": "{entry}：{title}；发布时间 {times:list}；周期 {cron}",
    "queue.added_series_by": "{entry}：{title}；发布时间 {times:list}；周期 {cron}；由 {by} 操作",
    "queue.warnings": "内容检查提醒 {n} 条（审核时需注明理由放行）：{items:items}",
    "queue.moved_to_next_message": ("{account} 在 {moved_from} 的群发消息已经发出"
                                    "（或推送时间已过），这篇已改入 {day} 的消息，{at} 发出"),
    "queue.no_post": "队列中没有编号 {id} 的稿件（用 socialbot queue list 查看）",
    # people
    "people.exists": "“{username}”已存在",
    "people.missing": "没有用户“{username}”（用 socialbot users list 查看）",
    # cron (store/recurrence.py)
    "cron.refused": "{why}",  # a CronProblem's text, already worded by one of these
    "cron.bad_weekday": "星期字段中的“{token}”无效（0–7 或 sun–sat）",
    "cron.bad_step": "星期字段的步长“{step}”无效",
    "cron.reversed": "星期范围“{part}”起止颠倒",
    "cron.fields": "周期表达式“{expr}”应有 5 段（分 时 日 月 星期），如 0 9 * * 1（每周一 9:00）",
    "cron.invalid": ("周期表达式“{expr}”无效：五段依次为 分（0–59）时（0–23）"
                     "日（1–31）月（1–12）星期（0–7，0 和 7 都是周日），"
                     "可用 * 、逗号、连字符和 /步长，如 0 9 * * 1"),
    # times (store/times.py)
    "times.missing": "缺少发布时间，格式如 2022-06-09 09:00",
    "times.unreadable": "无法识别的时间“{value}”，格式应为 2022-06-09 09:00（{zone} 时间）",
    "times.no_clock": "时间“{value}”缺少时刻，格式应为 2022-06-09 09:00",
    # record (socialbot.recording: what the pipeline's record step writes)
    "record.audit": "{state:state}：{message}",
    "record.audit_state": "{state:state}",
    "record.lost_lease": "租约已失效，结果仍记录：{outcome:outcome} {message}",
    "record.refused": "平台拒绝，需要人工处理",
    "record.no_clear_answer": "平台没有给出明确结果",
    "record.needs_person": (
        "已向平台核实 {checks} 次仍无法确认是否已发出（{why}）。"
        "请到平台后台查看：已发出则无需处理；确认没有发出，可用 queue retry "
        "{post} --force 重发；要再核实一次，用 queue retry {post}"),
    "record.not_there_missed": "平台确认未发出，且已超过补发时限（原定 {planned}）",
    "record.not_there_again": "平台确认未发出，将重新发送",
    "record.not_now": "平台暂不允许发送：{message}；已改到 {at}",
    "record.not_now_quota": "平台暂不允许发送（{message}），改到 {at}",
    "record.gave_up": "已尝试 {attempts} 次仍未成功：{message}",
    "record.retry_later": "暂时失败（{message}），{at} 自动重试",
    # actions (store/actions.py): cancel, reschedule, position, retry, mark as sent
    "actions.account": "账号 {account}",
    "actions.no_target": "这篇稿件没有发往 {account} 的目标",
    "actions.cancelled": "{by} 取消",
    "actions.cannot_cancel": "{account} {state:state}，无法取消",
    "actions.untracked": "{account} 的结果未知（可能已发出），已停止跟踪；请到平台上核实",
    "actions.nothing_to_cancel": "没有可以取消的目标（已发送、已取消或正在发送）",
    "actions.audit.cancelled": "原状态：{state:state}",
    "actions.audit.series_stopped": "停止周期发布 {cron}",
    "actions.past_time": "新时间 {at} 已经过去",
    "actions.series_whole": "周期稿件不能整体改期；请 queue cancel 后用新的 --cron 重新加入",
    "actions.nothing_to_reschedule": "没有可以改期的目标（只有待发布或已错过的目标可以改期）",
    "actions.title.reschedule": "不能改到这个时间",
    "actions.audit.rescheduled": "{before} → {after}",
    "actions.message_full": ("{account} 在 {full}（北京时间）的群发消息已有 {capacity} 篇文章，"
                             "达到上限。下一个还有空位的日期：{day}"),
    "actions.not_grouped": "这篇稿件的目标账号不是按天合并群发的公众号，没有消息内的位置可调",
    "actions.position_fixed": "{account} 的当天消息{state:state}，位置不能再改",
    "actions.nothing_to_position": "没有可以调整位置的目标（当天的消息已经发出或正在发送）",
    "actions.audit.position": "{day} 的消息中排第 {position} 篇",
    "actions.audit.position_queue_order": "{day} 的消息中排按加入队列的顺序",
    "actions.account_gone": "已不在配置文件中",
    "actions.quota_full": "{rule}，该时段已排满。下一个可用时间：{free}",
    "actions.quota_full_later": "{rule}，该时段已排满。近期没有可用额度",
    "actions.nothing_to_retry": "没有需要重试的目标（只有失败、已错过或结果未知的目标可以重试）",
    "actions.title.retry": "现在不能重试",
    "actions.audit.resend": "人工确认平台上没有这条，重新发送",
    "actions.audit.retry": "原状态：{state:state}，立即重试",
    "actions.audit.recheck": "请求立即向平台核实结果",
    "actions.recheck_first": ("结果未知的目标会先向平台核实，确认没有发出才会重发"
                              "（确认平台上确实没有时，可加 --force 直接重发）"),
    "actions.no_delivery": "没有编号为 {id} 的发布目标",
    "actions.not_open": "{state:state}：只有结果未知或需人工核实的发布可以标为已发出",
    "actions.marked_sent": "{by} 人工核实：平台上已发出",
    "actions.changed_meanwhile": "这个发布刚被别人改动过，请刷新后重试",
    "actions.audit.marked_sent": "人工核实平台上已发出（原状态：{state:state}）",
    "actions.audit.marked_sent_link": "人工核实平台上已发出（原状态：{state:state}），链接 {url}",
    # chain (store/chain.py): comments
    "chain.comment_empty": "评论内容不能为空",
    "chain.comment_too_long": "评论最多 {max} 字（现为 {length} 字）",
    "chain.no_such_comment": "这篇稿件没有编号 {id} 的评论",
    "chain.audit.comment": "评论：{text}",
    "chain.audit.reply": "回复评论：{text}",
    # pauses (store/pauses.py)
    "pauses.unknown_account": "未知账号“{account}”（配置中的账号：{known}）",
    "pauses.account_sep": "、",
    "pauses.audit.paused_all": "暂停全部账号",
    "pauses.audit.paused_all_reason": "暂停全部账号：{reason}",
    "pauses.audit.paused_account": "暂停账号 {account}",
    "pauses.audit.paused_account_reason": "暂停账号 {account}：{reason}",
    "pauses.audit.resumed_all": "恢复全部账号",
    "pauses.audit.resumed_account": "恢复账号 {account}",
    # review (store/review.py): approve, reject, edit
    "review.account": "账号 {account}",
    "review.tier_n": "第 {tier} 级审核",
    "review.reviewer_missing": "请写明审核人姓名",
    "review.own_post": ("“{by}”是这篇稿件的作者；按双人审核规定，"
                        "作者不能审核自己的稿件，请另一位同事审核"),
    "review.hash_changed": "稿件内容已变化（现在是 {now}，不是 {asked}），请重新预览后再审核",
    "review.nothing_pending": "这篇稿件没有等待发布的目标，无需审核",
    "review.already_reviewed": ("“{by}”已在本轮审核中做过{tier}；"
                                "同一审核链中每人只能审核一次，请另一位同事审核"),
    "review.wrong_tier": "这篇稿件现在等待{waiting}，不是{asked}；请刷新后再审核",
    "review.title.approve": "不能审核通过",
    "review.already_approved": "已由 {by} 审核通过，无需重复审核",
    "review.audit.step": "{tier_name}（第 {tier} 级，共 {tiers} 级）：{title}",
    "review.audit.step_final": "{tier_name}（第 {tier} 级，共 {tiers} 级），审核完成：{title}",
    "review.audit.approved": "审核通过：{title}",
    "review.more_tiers": "还需{tier_name}（第 {tier} 级，共 {tiers} 级）通过后才会发布",
    "review.expired": ("{account} 原定 {at} 已过，审核晚于发布时间（过期未审），不会发布；"
                       "请用 queue reschedule {queue_id} --at … 改期"),
    "review.override_unused": "这篇稿件没有内容检查提醒，--override-warnings 的理由未使用",
    "review.warning": "[提醒·{label}] {message}",
    "review.override_needed": ("这篇稿件有 {count} 条内容检查提醒（见上）。"
                               "请修改稿件后 queue edit，"
                               "或确认无误后注明理由放行：queue approve {post} --by 审核人 "
                               "--override-warnings \"理由\""),
    "review.warning_item": "{where}：{message}",
    "review.warning_sep": "；",
    "review.audit.override": ("理由：{reason}；放行指纹 {fingerprint}；"
                              "内容检查提醒 {count} 条：{items}"),
    "review.reason_missing": "请写明退回原因，方便作者修改",
    "review.sending": "这篇稿件正在发送中，无法退回；请稍后用 queue show 查看结果",
    "review.audit.rejected": "退回：{reason}",
    "review.busy": "{state:state}，请等结果确定后再修改",
    "review.title.edit": "现在不能修改",
    "review.nothing_to_edit": "这篇稿件已没有等待发布的目标，修改不会生效；如需重发请重新加入队列",
    "review.unchanged": "内容没有变化，审核状态保持不变",
    "review.audit.edited": "内容由 {old} 改为 {new}",
    "review.restart": "内容已修改，审核需重新开始",
    "review.audit.voided": "内容已修改，审核需重新开始：{names} 的审核（内容 {old}）作废",
    "review.voided_note": "内容已修改，审核需重新开始：{names} 的审核已作废，需要从{first}重新审核",
    "review.named_reviewer": "{tier} {reviewer}",
    "review.name_sep": "、",
    "review.audit.warnings_cleared": "内容检查提醒已全部消除",
    "review.warnings_changed": "内容没有变化，但内容检查提醒有变化（词表或规则已更新）",
    "review.audit.voided_warnings": "内容检查提醒有变化，{names} 的审核作废",
    "review.voided_warnings_note": "{names} 的审核已作废，需要重新审核并注明放行理由",
    # claims (store/claims.py: what claiming and promotion write)
    "claims.publish": "开始发送（第 {n} 次）",
    "claims.reconcile": "向平台核实上次发送的结果（第 {n} 次）",
    "claims.publish_member": ("开始发送（第 {n} 次）；"
                              "本次群发共 {articles} 篇，这是第 {position} 篇"),
    "claims.reconcile_member": ("向平台核实上次发送的结果（第 {n} 次）；"
                                "本次群发共 {articles} 篇，这是第 {position} 篇"),
    "claims.held_paused": "已暂停，未随 {day} 的群发消息发出，已移到 {to} 的消息（{at}）",
    "claims.held_unreviewed": ("到推送时间仍未审核，未随 {day} 的群发消息发出，"
                               "已移到 {to} 的消息（{at}）"),
    "claims.quota_moved": "额度已用完（按已发送记录），已顺延到 {at}",
    "claims.quota_moved_audit": "额度已用完（按已发送记录）：{was} → {at}",
    "claims.account_gone": "账号 {account} 已不在配置文件中",
    "claims.expired_unreviewed": ("过期未审：原定 {planned} 前审核没有完成，不会补发；"
                                  "请改期（queue reschedule）"),
    "claims.missed": ("错过发布时间（程序未运行或积压）：原定 {planned}，"
                      "超过补发时限 {grace} 秒"),
    "claims.unreviewed": "未审核（或审核已作废），暂不发布",
}

PLACES: dict[str, str] = {
    "time": "时间",
    "cron": "周期",
    "account": "账号",
    "account_id": "账号 {account}",
    "username": "用户名",
    # database (store/errors.py): which database, as staff configured it
    "database": "数据库",
    "database_file": "数据库文件 {path}",
    "database_memory": "内存数据库",
    "database_postgres": "PostgreSQL 数据库 {name}（{host}）",
    "database_postgres_server": "PostgreSQL 数据库（{host}）",
    # actions, chain, review
    "actions.number": "编号",
    "chain.comment": "评论",
    "chain.reply": "回复",
    "review.reviewer": "审核人",
    "review.state": "状态",
    "review.tier": "审级",
}
