"""`gasguard rules check [--override PATH]` and `gasguard rules export --out FILE.xlsx`."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from gasguard.rules.catalog import CatalogError, load_catalog
from gasguard.rules.choices import CategoryChoices, SeverityChoices
from gasguard.rules.exports import catalog_xlsx
from gasguard.rules.selectors import catalog_summary, rule_list


class Command(BaseCommand):
    help = "检查规则库：check 校验全国规则与地方规则文件并统计；export 导出 Excel"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        check = sub.add_parser("check", help="校验规则库（出错时给出文件和行号，退出码 1）")
        check.add_argument("--override", help="地方规则文件路径（默认取 GASGUARD_RULES_OVERRIDE）")
        export = sub.add_parser("export", help="导出规则库为 Excel")
        export.add_argument("--override", help="地方规则文件路径（默认取 GASGUARD_RULES_OVERRIDE）")
        export.add_argument("--out", required=True, help="输出 .xlsx 文件路径")

    def handle(self, *args, **options):
        override = Path(options["override"]) if options.get("override") else None
        try:
            catalog = load_catalog(override=override)
        except CatalogError as exc:
            raise CommandError(f"规则库校验失败：{exc}") from exc
        if options["subcommand"] == "export":
            path = Path(options["out"])
            try:
                path.write_bytes(catalog_xlsx(rule_list(catalog=catalog), catalog=catalog))
            except OSError as exc:
                raise CommandError(f"无法写入 {path}: {exc}") from exc
            self.stdout.write(f"exported {len(catalog.rules)} rules (version {catalog.version}) to {path}")
            return
        summary = catalog_summary(catalog)
        out = self.stdout
        out.write(f"OK version={summary['version']} rules={summary['rules']}")
        if summary["override"]:
            out.write(
                f"override={summary['override']} tightened={','.join(summary['overridden_rules']) or '-'}"
            )
        out.write("per file:")
        for name, count in summary["files"].items():
            out.write(f"  {name}: {count}")
        out.write("per category:")
        for value, count in summary["by_category"].items():
            out.write(f"  {value} {CategoryChoices(value).label}: {count}")
        out.write("per severity:")
        for value, count in summary["by_severity"].items():
            out.write(f"  {value} {SeverityChoices(value).label}: {count}")
        out.write("per source status:")
        for value, count in summary["by_status"].items():
            out.write(f"  {value}: {count}")
