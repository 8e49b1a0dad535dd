"""`gasguard monitoring <task>`: escalate, check_offline, partitions, retention, rules."""

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone


class Command(BaseCommand):
    help = "监测运维：escalate 超时升级 | check_offline 离线检查 | partitions 预建分区 | retention 清理原始读数 | rules 默认规则"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="task", required=True)
        sub.add_parser("escalate", help="未确认报警超时升级")
        sub.add_parser("check_offline", help="设备离线检查")
        p = sub.add_parser("partitions", help="预建未来的按日分区（PostgreSQL）")
        p.add_argument("--days", type=int, default=14)
        r = sub.add_parser("retention", help="删除早于 N 天的原始读数分区（小时聚合保留）")
        r.add_argument("--days", type=int, default=settings.GASGUARD_MONITORING_RETENTION_DAYS)
        sub.add_parser("rules", help="创建缺少的内置默认报警规则")

    def handle(self, *args, **opts):
        from gasguard.monitoring import services, storage

        task = opts["task"]
        if task == "escalate":
            self.stdout.write(f"escalated {services.alarms_escalate()}")
        elif task == "check_offline":
            self.stdout.write(f"offline alarms {services.devices_check_offline()}")
        elif task == "partitions":
            today = timezone.now().date()
            days = [today + timedelta(days=i) for i in range(-1, opts["days"] + 1)]
            self.stdout.write(f"created {storage.ensure_partitions(days)} partitions")
        elif task == "retention":
            if opts["days"] < 1:
                raise CommandError("--days 须 ≥ 1")
            cutoff = timezone.now().date() - timedelta(days=opts["days"])
            dropped = storage.drop_partitions_before(cutoff)
            self.stdout.write(f"dropped {len(dropped)}: {', '.join(dropped)}")
        elif task == "rules":
            self.stdout.write(f"created {services.ensure_default_rules()} rules")
