"""E-mail over SMTP: a plain-text and a simple HTML version of the same digest.

SSL (usually port 465), STARTTLS (usually 587) or, for a relay inside the office network
only, no encryption. The subject is Chinese and goes out RFC 2047-encoded (the
``email.policy.SMTP`` policy does that); the body is UTF-8.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Callable, Sequence
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import formataddr, formatdate, make_msgid

from socialbot.alerts import message
from socialbot.alerts.model import Alert
from socialbot.alerts.settings import SmtpServer
from socialbot.alerts.transport import Message, SendResult, Transport
from socialbot.config import Secret
from socialbot.redact import describe_exception, register_secret

SENDER_NAME = "socialbot 提醒"


class EmailTransport(Transport):
    kind = "email"
    label = "电子邮件"
    rate_per_minute = 20  # a courtesy to the mail server; digests keep mail rare anyway
    throttle_seconds = 300.0

    def __init__(self, server: SmtpServer, to: Sequence[str], password: Secret | None = None,
                 *, sleep: Callable[[float], None] | None = None,
                 ssl_context: ssl.SSLContext | None = None):
        super().__init__(sleep=sleep)
        if password is not None:
            register_secret(password.reveal())
        self._server = server
        self._to = tuple(to)
        self._password = password
        self._ssl = ssl_context

    @property
    def limit_key(self) -> str:
        return f"email:{self._server.host}:{','.join(self._to)}"

    def compose(self, alerts: Sequence[Alert], owner: str) -> list[Message]:
        text = message.email(alerts, owner)
        mail = EmailMessage(policy=SMTP_POLICY)
        mail["Subject"] = text.subject
        mail["From"] = formataddr((SENDER_NAME, self._server.sender))
        mail["To"] = ", ".join(self._to)
        mail["Date"] = formatdate(localtime=False)
        mail["Message-ID"] = make_msgid(domain=self._server.sender.rpartition("@")[2] or None)
        mail.set_content(text.text, charset="utf-8")
        mail.add_alternative(text.html, subtype="html", charset="utf-8")
        return [Message(mail, len(alerts))]

    def attempt(self, message_: Message) -> SendResult:
        try:
            with self._connect() as smtp:
                if self._server.username:
                    password = self._password.reveal() if self._password else ""
                    smtp.login(self._server.username, password)
                smtp.send_message(message_.payload, from_addr=self._server.sender,
                                  to_addrs=list(self._to))
        except smtplib.SMTPAuthenticationError:
            return SendResult.failed("发信邮箱登录失败：用户名或密码（授权码）不对")
        except smtplib.SMTPRecipientsRefused as exc:
            refused = "、".join(exc.recipients)
            return SendResult.failed(f"收件人地址被邮件服务器拒收：{refused}")
        except smtplib.SMTPSenderRefused:
            return SendResult.failed(f"发件人地址 {self._server.sender} 被邮件服务器拒绝")
        except smtplib.SMTPNotSupportedError:
            return SendResult.failed(
                "邮件服务器不支持所配置的加密方式或登录方式，请检查 security 设置"
            )
        except smtplib.SMTPResponseException as exc:
            reason = f"邮件服务器返回 {exc.smtp_code}"
            if 400 <= exc.smtp_code < 500:
                return SendResult.hiccup(reason + "（暂时性错误）")
            return SendResult.failed(reason)
        except ssl.SSLCertVerificationError as exc:
            return SendResult.failed(
                f"邮件服务器 {self._server.host} 的证书无法验证（{exc.verify_message}）："
                "请确认 host 填写的是证书上的服务器名"
            )
        except (smtplib.SMTPException, OSError) as exc:
            return SendResult.hiccup(
                f"无法连接邮件服务器 {self._server.host}:{self._server.port}"
                f"（{describe_exception(exc)}）"
            )
        return SendResult.sent()

    def _connect(self) -> smtplib.SMTP:
        s = self._server
        if s.security == "ssl":
            return smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout,
                                    context=self._ssl or ssl.create_default_context())
        smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
        try:
            if s.security == "starttls":
                smtp.starttls(context=self._ssl or ssl.create_default_context())
        except BaseException:
            smtp.close()
            raise
        return smtp
