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
}
