"""`gasguard notifications deliver [--loop SECONDS]`: send due outbound messages with retries."""

import time

from django.core.management.base import BaseCommand, CommandError

from gasguard.notifications.models import Delivery


class Command(BaseCommand):
    help = "外发消息：deliver 发送到期的外发记录（失败按指数退避重试）；status 统计"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["deliver", "status"])
        parser.add_argument("--loop", type=int, default=0, help="每隔 N 秒循环发送（0=只运行一次）")
        parser.add_argument("--limit", type=int, default=200)

    def handle(self, *args, action, loop, limit, **options):
        from gasguard.notifications.services import deliver_due

        if action == "status":
            for status in ("pending", "sent", "failed"):
                self.stdout.write(f"{status}\t{Delivery.objects.filter(status=status).count()}")
            return
        if loop < 0:
            raise CommandError("--loop 不能为负数")
        while True:
            result = deliver_due(limit=limit)
            self.stdout.write(f"sent={result['sent']} failed_attempts={result['failed_attempts']}")
            if not loop:
                break
            time.sleep(loop)
