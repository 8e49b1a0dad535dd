"""`gasguard escalate`: run the hazard escalation ladder once (safe to run repeatedly, e.g. hourly)."""

from datetime import date

from django.core.management.base import BaseCommand

from gasguard.hazards.services import hazard_escalate_due


class Command(BaseCommand):
    help = "隐患到期提醒、逾期提级与专班督办（可重复执行，不会重复通知）"

    def add_arguments(self, parser):
        parser.add_argument("--today", type=date.fromisoformat, help="按指定日期计算（YYYY-MM-DD）")

    def handle(self, *args, **options):
        result = hazard_escalate_due(today=options.get("today"))
        self.stdout.write(
            f"提醒 {result['reminded']} 条，提级 {result['escalated']} 条，督办 {result['supervised']} 条"
        )
