"""`gasguard hazard_rollup`: fold, check or rebuild the count cubes (ledger and premises; PostgreSQL)."""

from django.core.management.base import BaseCommand, CommandError

from gasguard.core.cube import enabled
from gasguard.hazards import rollup as hazard_rollup
from gasguard.registry import rollup as premises_rollup

CUBES = (("隐患台账", hazard_rollup), ("用气场所", premises_rollup))


class Command(BaseCommand):
    help = "计数汇总（隐患台账、用气场所）：合并增量（默认）、--check 与源表逐格核对、--rebuild 从源表重算"

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="与源表逐格核对，不一致时以非零状态退出")
        parser.add_argument("--rebuild", action="store_true", help="从源表重算全部计数")

    def handle(self, *args, **options):
        if not enabled():
            self.stdout.write(
                "未启用（仅 PostgreSQL 且 GASGUARD_HAZARD_ROLLUP=true 时维护汇总；其余情况直接统计源表）"
            )
            return
        wrong = 0
        for label, module in CUBES:
            if options["rebuild"]:
                self.stdout.write(f"{label}：已重算 {module.rebuild()} 个计数格")
            else:
                self.stdout.write(f"{label}：已合并增量 {module.compact()} 个计数格")
            if options["check"]:
                cells = module.check()
                for cell in cells[:20]:
                    self.stderr.write(f"{label} 不一致：{cell}")
                wrong += len(cells)
        if wrong:
            raise CommandError(f"{wrong} 个计数格与源表不一致，请执行 --rebuild")
        if options["check"]:
            self.stdout.write("核对一致")
