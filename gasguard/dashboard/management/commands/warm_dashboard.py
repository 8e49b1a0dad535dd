"""`gasguard warm_dashboard`: precompute the dashboard of the top regions into the cache."""

from django.core.management.base import BaseCommand

from gasguard.dashboard.selectors import dashboard_warm


class Command(BaseCommand):
    help = (
        "预先计算省、市级统计看板并写入缓存（建议每 30–60 秒运行一次，见 GASGUARD_DASHBOARD_CACHE_SECONDS）"
    )

    def add_arguments(self, parser):
        parser.add_argument("--max-level", type=int, default=2, help="预热到哪一级区划（1 省，2 市，3 区县）")

    def handle(self, *args, **options):
        timings = dashboard_warm(max_level=options["max_level"])
        for code, seconds in timings:
            self.stdout.write(f"{code} {seconds:.2f}s")
        self.stdout.write(self.style.SUCCESS(f"已预热 {len(timings)} 个区划"))
