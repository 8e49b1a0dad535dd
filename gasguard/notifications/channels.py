"""Outbound channels behind one interface: `channel_for(config).send(message)`.

E-mail goes through Django's mail framework (SMTP settings in base.py); DingTalk and WeCom
group robots receive a markdown JSON message by HTTP POST. A send either returns or raises
`ChannelError` with a readable reason, which the delivery loop records and retries.
"""

import base64
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail


class ChannelError(Exception):
    """A send failed; the message says why (HTTP status, robot errcode, SMTP error)."""


@dataclass(frozen=True)
class OutboundMessage:
    """What every channel sends: subject, body and an optional absolute link."""

    subject: str
    body: str = ""
    link: str = ""
    to_address: str = ""

    def markdown(self) -> str:
        lines = [f"### {self.subject}"]
        if self.body:
            lines.append(self.body)
        if self.link:
            lines.append(f"[查看详情]({self.link})")
        return "\n\n".join(lines)


class Channel:
    """Base class: one configured outbound channel."""

    def __init__(self, *, address: str = "", secret: str = ""):
        self.address = address
        self.secret = secret

    def send(self, message: OutboundMessage) -> None:  # pragma: no cover - interface
        raise NotImplementedError


class EmailChannel(Channel):
    """SMTP e-mail; `to_address` (a recipient's own mailbox) wins over the channel's address."""

    def send(self, message: OutboundMessage) -> None:
        to = [a.strip() for a in (message.to_address or self.address).split(",") if a.strip()]
        if not to:
            raise ChannelError("没有收件邮箱")
        text = message.body + (f"\n\n{message.link}" if message.link else "")
        try:
            send_mail(message.subject, text, settings.DEFAULT_FROM_EMAIL, to, fail_silently=False)
        except Exception as exc:  # noqa: BLE001 - SMTP raises many types; all mean "retry later"
            raise ChannelError(f"邮件发送失败：{exc.__class__.__name__}: {exc}") from exc


class WebhookChannel(Channel):
    """A group-chat robot webhook that takes JSON and answers {"errcode": 0, …} on success."""

    def payload(self, message: OutboundMessage) -> dict:  # pragma: no cover - interface
        raise NotImplementedError

    def url(self) -> str:
        return self.address

    def send(self, message: OutboundMessage) -> None:
        if not self.address.startswith(("http://", "https://")):
            raise ChannelError("Webhook 地址无效")
        data = json.dumps(self.payload(message), ensure_ascii=False).encode()
        request = urllib.request.Request(
            self.url(), data=data, method="POST", headers={"Content-Type": "application/json; charset=utf-8"}
        )
        timeout = settings.GASGUARD_NOTIFY_TIMEOUT_SECONDS
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - configured URL
                raw = response.read(65536)
        except urllib.error.HTTPError as exc:
            raise ChannelError(f"HTTP {exc.code}") from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise ChannelError(f"连接失败：{getattr(exc, 'reason', exc)}") from exc
        try:
            answer = json.loads(raw or b"{}")
        except ValueError as exc:
            raise ChannelError("机器人返回的不是 JSON") from exc
        errcode = answer.get("errcode", 0) if isinstance(answer, dict) else 0
        if errcode not in (0, "0"):
            raise ChannelError(f"机器人返回错误 {errcode}: {answer.get('errmsg', '')}")


class DingTalkChannel(WebhookChannel):
    """钉钉自定义机器人: markdown message; with a secret, 加签 (timestamp + HMAC-SHA256)."""

    def payload(self, message: OutboundMessage) -> dict:
        return {"msgtype": "markdown", "markdown": {"title": message.subject, "text": message.markdown()}}

    def url(self) -> str:
        if not self.secret:
            return self.address
        timestamp, sign = dingtalk_sign(self.secret)
        joiner = "&" if "?" in self.address else "?"
        return f"{self.address}{joiner}timestamp={timestamp}&sign={sign}"


class WeComChannel(WebhookChannel):
    """企业微信群机器人: markdown message (content only)."""

    def payload(self, message: OutboundMessage) -> dict:
        return {"msgtype": "markdown", "markdown": {"content": message.markdown()}}


def dingtalk_sign(secret: str, timestamp_ms: int | None = None) -> tuple[str, str]:
    """DingTalk's signature: base64(HMAC-SHA256(secret, f"{timestamp}\\n{secret}")), URL-encoded."""
    timestamp = str(timestamp_ms if timestamp_ms is not None else int(time.time() * 1000))
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    return timestamp, urllib.parse.quote_plus(base64.b64encode(digest).decode())


CHANNEL_CLASSES: dict[str, type[Channel]] = {
    "email": EmailChannel,
    "dingtalk": DingTalkChannel,
    "wecom": WeComChannel,
}


def channel_for(config) -> Channel:
    """The Channel implementation for a NotificationChannel row."""
    return CHANNEL_CLASSES[config.kind](address=config.address, secret=config.secret)
