"""`gasguard audit verify [--chain main]` and `gasguard audit export --out file.jsonl`."""

import sys

from django.core.management.base import BaseCommand, CommandError

from gasguard.audit.services import DEFAULT_CHAIN, audit_export, audit_verify


class Command(BaseCommand):
    help = "审计链：verify 重新计算哈希链并指出第一个被破坏的事件；export 导出供第三方独立核验"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        verify = sub.add_parser("verify", help="重新计算并校验审计链")
        verify.add_argument("--chain", default=DEFAULT_CHAIN)
        export = sub.add_parser("export", help="导出审计链（JSON Lines）")
        export.add_argument("--chain", default=DEFAULT_CHAIN)
        export.add_argument("--out", required=True, help="输出文件路径；- 表示标准输出")

    def handle(self, *args, **options):
        if options["subcommand"] == "verify":
            result = audit_verify(chain_name=options["chain"])
            if result.ok:
                self.stdout.write(
                    f"OK chain={result.chain} algorithm={result.algorithm} events={result.events}"
                )
                return
            self.stderr.write(
                f"BROKEN chain={result.chain} algorithm={result.algorithm} seq={result.broken_seq} "
                f"reason={result.reason} (checked {result.events} events)"
            )
            sys.exit(1)
        if options["subcommand"] == "export":
            path = options["out"]
            if path == "-":
                count = audit_export(out=self.stdout, chain_name=options["chain"])
            else:
                try:
                    with open(path, "w", encoding="utf-8") as handle:
                        count = audit_export(out=handle, chain_name=options["chain"])
                except OSError as exc:
                    raise CommandError(f"无法写入 {path}: {exc}") from exc
                self.stdout.write(f"exported {count} events of chain {options['chain']} to {path}")
