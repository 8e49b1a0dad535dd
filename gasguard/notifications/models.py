"""The in-app inbox (站内消息), outbound channel configuration and the record of deliveries."""

from django.conf import settings
from django.db import models

from gasguard.core.models import BaseModel


class Notification(BaseModel):
    """One message to one user; outbound channels deliver copies of it."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="notifications")
    kind = models.CharField("类型", max_length=40, db_index=True)
    subject = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    link = models.CharField("链接", max_length=300, blank=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_inbox_idx")]
        verbose_name = "消息"
        verbose_name_plural = "消息"

    def __str__(self) -> str:
        return self.subject


class ChannelKindChoices(models.TextChoices):
    EMAIL = "email", "电子邮件"
    DINGTALK = "dingtalk", "钉钉机器人"
    WECOM = "wecom", "企业微信机器人"


class NotificationChannel(BaseModel):
    """An outbound channel of a region or department: a mailbox or a group-chat robot webhook.

    A channel receives a copy of every message whose recipients belong to its department, or
    (without a department) to any unit at or below its region. `kinds` narrows it to some
    message kinds (empty = all). An e-mail channel without an address mails each recipient's
    own address instead.
    """

    name = models.CharField("名称", max_length=100)
    kind = models.CharField("渠道类型", max_length=16, choices=ChannelKindChoices.choices)
    region = models.ForeignKey("org.Region", models.PROTECT, related_name="+", verbose_name="区划")
    region_code = models.CharField("区划代码", max_length=15, db_index=True, editable=False)
    department = models.ForeignKey(
        "org.Department", models.CASCADE, null=True, blank=True, related_name="+", verbose_name="部门"
    )
    address = models.CharField("地址(邮箱或Webhook URL)", max_length=500, blank=True)
    # Encrypted at rest (gasguard.notifications.crypto); DingTalk 加签 secret.
    secret_enc = models.TextField("签名密钥(加密)", blank=True)
    kinds = models.JSONField("消息类型(空=全部)", default=list, blank=True)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        ordering = ["region_code", "name"]
        verbose_name = "通知渠道"
        verbose_name_plural = "通知渠道"

    def __str__(self) -> str:
        return f"{self.name}（{self.get_kind_display()}）"

    def save(self, *args, **kwargs):
        self.region_code = self.region.code
        super().save(*args, **kwargs)

    @property
    def secret(self) -> str:
        from gasguard.notifications.crypto import decrypt

        return decrypt(self.secret_enc) if self.secret_enc else ""

    @secret.setter
    def secret(self, value: str) -> None:
        from gasguard.notifications.crypto import encrypt

        self.secret_enc = encrypt(value) if value else ""


class DeliveryStatusChoices(models.TextChoices):
    PENDING = "pending", "待发送"
    SENT = "sent", "已发送"
    FAILED = "failed", "发送失败"


class Delivery(BaseModel):
    """One outbound send of a message through a channel, retried with exponential backoff."""

    channel = models.ForeignKey(NotificationChannel, models.CASCADE, related_name="deliveries")
    notification = models.ForeignKey(
        Notification, models.SET_NULL, null=True, blank=True, related_name="deliveries"
    )
    to_address = models.CharField("收件地址", max_length=300, blank=True)
    kind = models.CharField("类型", max_length=40)
    subject = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    link = models.CharField("链接", max_length=300, blank=True)
    status = models.CharField(
        "状态", max_length=16, choices=DeliveryStatusChoices.choices, default="pending", db_index=True
    )
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    last_error = models.TextField("最近错误", blank=True)
    next_attempt_at = models.DateTimeField("下次尝试", null=True, blank=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="delivery_due_idx")]
        verbose_name = "外发记录"
        verbose_name_plural = "外发记录"

    def __str__(self) -> str:
        return f"{self.channel} · {self.subject} · {self.get_status_display()}"
