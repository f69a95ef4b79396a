"""``socialbot web``: serve the staff console with uvicorn (same config and store as the CLI)."""

from __future__ import annotations

import click

from socialbot.commands.context import AppContext, pass_app, staff_errors


@click.command("web")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="监听地址（对外提供服务请放在 HTTPS 反向代理之后）")
@click.option("--port", default=8800, show_default=True, type=click.IntRange(1, 65535),
              help="监听端口")
@click.option("--proxy", "proxy_ips", default="127.0.0.1", show_default=True,
              help="信任其 X-Forwarded-Proto/For 头的反向代理地址（逗号分隔）")
@pass_app
@staff_errors
def web(app: AppContext, host: str, port: int, proxy_ips: str) -> None:
    """网页控制台：在浏览器中审核稿件、查看待处理事项（与命令行共用配置和数据库）。

    \b
    示例：
      socialbot web                      # http://127.0.0.1:8800
      socialbot web --host 0.0.0.0 --port 8080
    用户用 socialbot users add 创建。
    """
    import uvicorn

    from socialbot.store import open_store, people
    from socialbot.web.app import create_app

    settings = app.settings
    store = open_store(settings)
    try:
        if people.count_people(store) == 0:
            click.echo("提示：还没有任何用户，请先用 socialbot users add 创建第一位管理员。",
                       err=True)
        click.echo(f"控制台：http://{host}:{port}/  （按 Ctrl+C 停止）", err=True)
        uvicorn.run(create_app(settings, store=store), host=host, port=port, proxy_headers=True,
                    forwarded_allow_ips=proxy_ips, server_header=False, log_level="warning")
    finally:
        store.dispose()


COMMANDS: list[click.Command] = [web]
