"""`gasguard remind_reports`: remind regions whose monthly report is due or overdue."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from gasguard.campaigns.services import monthly_report_remind


class Command(BaseCommand):
    help = "提醒未报送月度工作进展情况的地区（截止日前 GASGUARD_REPORT_REMIND_DAYS 天起，逾期抄送上级专班）"

    def add_arguments(self, parser):
        parser.add_argument("--date", help="按指定日期（YYYY-MM-DD）计算，默认今天")
        parser.add_argument("--dry-run", action="store_true", help="只列出，不发送")

    def handle(self, *args, **options):
        today = None
        if options.get("date"):
            try:
                today = date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError(f"日期格式应为 YYYY-MM-DD：{options['date']}") from None
        sent = monthly_report_remind(today=today, dry_run=options["dry_run"])
        for row in sent:
            state = "逾期" if row["overdue"] else "即将到期"
            self.stdout.write(f"{row['region']} {state} → {', '.join(row['recipients'])}")
        self.stdout.write(self.style.SUCCESS(f"提醒 {len(sent)} 个地区"))
