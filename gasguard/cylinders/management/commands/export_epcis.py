"""Export cylinder events as an EPCIS 2.0 JSON-LD document (for exchange with other systems)."""

import json
import sys
from datetime import datetime, time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from gasguard.cylinders.epcis import epcis_document, events_for_export
from gasguard.cylinders.models import Cylinder


def _bound(value: str, end: bool = False):
    if not value:
        return None
    try:
        day = datetime.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"时间“{value}”格式错误（如 2024-05-01）") from exc
    if len(value) == 10:
        day = datetime.combine(day.date(), time.max if end else time.min)
    return timezone.make_aware(day) if timezone.is_naive(day) else day


class Command(BaseCommand):
    help = "导出气瓶事件（GS1 EPCIS 2.0 JSON-LD）。例：manage.py export_epcis --region 440305 --from 2024-05-01 -o out.jsonld"

    def add_arguments(self, parser):
        parser.add_argument("--code", default="", help="只导出这只气瓶")
        parser.add_argument("--region", default="", help="产权单位所在区划代码前缀")
        parser.add_argument("--from", dest="start", default="")
        parser.add_argument("--to", dest="end", default="")
        parser.add_argument("--limit", type=int, default=100_000)
        parser.add_argument("-o", "--output", default="-", help="输出文件（默认标准输出）")

    def handle(self, *args, **opts):
        qs = Cylinder.objects.all()
        if opts["code"]:
            qs = qs.filter(code=opts["code"].strip().upper())
        if opts["region"]:
            qs = qs.filter(region_code__startswith=opts["region"])
        events = events_for_export(
            cylinders_qs=qs.values("pk"),
            start=_bound(opts["start"]),
            end=_bound(opts["end"], True),
            limit=opts["limit"],
        )
        doc = epcis_document(events)
        text = json.dumps(doc, ensure_ascii=False, indent=1)
        if opts["output"] == "-":
            sys.stdout.write(text + "\n")
        else:
            with open(opts["output"], "w", encoding="utf-8") as fh:
                fh.write(text)
            self.stderr.write(f"已导出 {len(doc['epcisBody']['eventList'])} 个事件 → {opts['output']}")
