"""`gasguard demo`: build the demo city deterministically from a seed."""

import time
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from gasguard.core.demo import DemoContext, demo_builders
from gasguard.org.models import Region

# Builders the rest depend on: if one fails, the whole demo is rolled back.
REQUIRED = {"org", "accounts", "registry"}


class Command(BaseCommand):
    help = "生成演示城市（深圳市六区、部门、专班、企业、用气场所、各角色演示账号及各模块演示数据）"

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=20230809, help="随机种子（相同种子生成相同城市）")
        parser.add_argument("--scale", type=float, default=1.0, help="数据量倍数（如 125 ≈ 100 万处场所）")
        parser.add_argument("--if-empty", action="store_true", help="数据库已有数据时跳过（make run 使用）")
        parser.add_argument(
            "--today", type=date.fromisoformat, default=None, help="以该日期为“今天”（YYYY-MM-DD）"
        )
        parser.add_argument(
            "--only", default="", help="只运行这些模块的生成器（逗号分隔，须含 org,accounts,registry）"
        )

    def handle(self, *args, seed, scale, if_empty, today, only, **options):
        if scale <= 0:
            raise CommandError("--scale 必须大于 0")
        if Region.objects.exists():
            if if_empty:
                self.stdout.write("数据库已有数据，跳过演示数据生成。")
                return
            raise CommandError(
                "数据库已有数据。演示数据只能生成到空数据库（可删除 var/gasguard.sqlite3 后重试）。"
            )
        ctx = DemoContext(seed=seed, scale=scale, out=self.stdout, **({"today": today} if today else {}))
        wanted = {s.strip() for s in only.split(",") if s.strip()}
        started = time.perf_counter()
        for label, build in demo_builders():
            if wanted and label not in wanted:
                continue
            t0 = time.perf_counter()
            if label in REQUIRED:
                with transaction.atomic():
                    build(ctx)
            else:
                try:
                    with transaction.atomic():
                        build(ctx)
                except Exception as exc:  # noqa: BLE001 - one module's demo must not sink the rest
                    self.stderr.write(
                        f"警告：{label} 演示数据生成失败，已跳过：{exc.__class__.__name__}: {exc}"
                    )
                    continue
            self.stdout.write(f"  [{label}] {time.perf_counter() - t0:.1f}s")
        self.stdout.write(
            self.style.SUCCESS(
                f"演示城市已生成（种子 {seed}，倍数 {scale}），用时 {time.perf_counter() - started:.1f}s"
            )
        )
