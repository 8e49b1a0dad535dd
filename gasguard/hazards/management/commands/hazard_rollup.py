"""`gasguard hazard_rollup`: fold, check or rebuild the ledger's count cube (PostgreSQL)."""

from django.core.management.base import BaseCommand, CommandError

from gasguard.hazards import rollup


class Command(BaseCommand):
    help = "隐患计数汇总：合并增量（默认）、--check 与台账逐格核对、--rebuild 从台账重算"

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="与台账逐格核对，不一致时以非零状态退出")
        parser.add_argument("--rebuild", action="store_true", help="从台账重算全部计数")

    def handle(self, *args, **options):
        if not rollup.enabled():
            self.stdout.write(
                "未启用（仅 PostgreSQL 且 GASGUARD_HAZARD_ROLLUP=true 时维护汇总；其余情况直接统计台账）"
            )
            return
        if options["rebuild"]:
            self.stdout.write(f"已重算：{rollup.rebuild()} 个计数格")
        else:
            self.stdout.write(f"已合并增量：{rollup.compact()} 行")
        if options["check"]:
            wrong = rollup.check()
            for cell in wrong[:20]:
                self.stderr.write(f"不一致：{cell}")
            if wrong:
                raise CommandError(f"{len(wrong)} 个计数格与台账不一致，请执行 --rebuild")
            self.stdout.write("核对一致")
