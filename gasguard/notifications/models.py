"""The in-app inbox (站内消息) and the record of outbound deliveries."""

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
