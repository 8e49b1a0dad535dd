"""Benchmark of the hazard ledger (隐患台账) on PostgreSQL.

Full size (--scale 1): 1M premises, 1M hazards, 2M companion rows (standing in for the volume of
2M inspections: two HazardHistory rows per hazard; the ledger never joins inspections), and a
1M-event audit chain. Measures, through the full Django stack:

- list_p95_ms: filtered, scoped ledger list (API page, 南山 inspector) via the Django test client
- sql_list_p95_ms: the same page's SQL run directly (so the application overhead is a ratio)
- ui_list_p95_ms: the HTML ledger page (list + totals) for the same filters
- totals_p95_ms: ledger totals for the whole city (task force) via the API
- export_100k_s / export_peak_rss_mb: Excel export of 100k hazards in a subprocess (ru_maxrss)
- import_100k_s: import of a 100k-row ledger workbook (validated, deduplicated, audited)
- audit_verify_1m_s: `audit_verify` over the chain (≈1M events at scale 1)

Usage: .venv/bin/python bench/ledger.py [--scale 1.0] [--requests 100] [--regenerate]
Prints one JSON line at the end.
"""

import argparse
import json
import os
import subprocess
import sys
import time

from _common import ROOT, summary, timed, use_database

parser = argparse.ArgumentParser()
parser.add_argument("--scale", type=float, default=float(os.environ.get("BENCH_SCALE", 1.0)))
parser.add_argument("--requests", type=int, default=100)
parser.add_argument("--regenerate", action="store_true")
parser.add_argument("--export-child", type=int, default=0, help=argparse.SUPPRESS)
args = parser.parse_args()

DB = "gg_bench_ledger"
use_database(DB)

if args.export_child:
    # Child process: export N hazards and report time and peak memory (ru_maxrss, KiB on Linux).
    import resource

    from gasguard.hazards.excel import export_hazards
    from gasguard.hazards.models import Hazard

    ids = Hazard.objects.order_by("id").values_list("id", flat=True)
    first = ids.first()
    qs = Hazard.objects.filter(id__gte=first, id__lt=first + args.export_child)
    t0 = time.perf_counter()
    path = export_hazards(qs, path=f"/tmp/ledger-bench-{os.getpid()}.xlsx")
    seconds = time.perf_counter() - t0
    size = os.path.getsize(path)
    os.unlink(path)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {"seconds": round(seconds, 2), "rss_mb": round(rss_mb, 1), "bytes": size, "rows": qs.count()}
        )
    )
    sys.exit(0)

from datetime import datetime, timedelta  # noqa: E402

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from gasguard.audit.hashing import (  # noqa: E402
    GENESIS_HASH,
    canonical_payload,
    default_algorithm,
    event_hash,
)
from gasguard.audit.models import AuditChain, AuditEvent  # noqa: E402
from gasguard.core.demo import DemoContext  # noqa: E402
from gasguard.hazards.models import Hazard  # noqa: E402

call_command("migrate", verbosity=0)

PREMISES = max(1000, int(1_000_000 * args.scale))
HAZARDS = PREMISES
EVENTS = max(1000, int(1_000_000 * args.scale))
EXPORT_ROWS = min(100_000, HAZARDS)
IMPORT_ROWS = max(200, int(100_000 * min(args.scale, 1.0)))

HAZARD_COLUMNS = [
    "created_at", "updated_at", "region_code", "code", "target_type", "premises_id", "enterprise_id",
    "target_name", "rule_id", "catalog_version", "category", "title", "description", "severity",
    "lead_department_kind", "lead_department_id", "support_department_kinds", "legal_basis",
    "prescribed_action", "responsible_person", "responsible_phone", "rectification_measures",
    "control_measures", "deadline", "status", "source", "source_ref", "found_at", "found_by_id",
    "closed_at", "is_supervised", "escalation_level", "verified_by_id", "evidence_count", "reappear_count",
]  # fmt: skip
PROBLEMS = [
    ("hose", "燃气软管老化龟裂", "general"),
    ("valve", "使用不合格调压阀", "general"),
    ("environment", "未安装可燃气体报警器", "major"),
    ("cylinder", "气瓶超期未检", "major"),
    ("environment", "用气场所与住人空间未分隔", "general"),
    ("hose", "连接软管长度超过2米", "general"),
]
STATUSES = ["pending"] * 3 + ["rectifying"] * 3 + ["controlled", "awaiting_verification"] + ["closed"] * 6


def generate() -> dict:
    from gasguard.accounts import demo as accounts_demo
    from gasguard.accounts.models import User
    from gasguard.org import demo as org_demo
    from gasguard.org.models import Department
    from gasguard.registry import demo as registry_demo
    from gasguard.registry.models import Premises

    timings = {}
    ctx = DemoContext(scale=PREMISES / 8000)
    with transaction.atomic():
        org_demo.build(ctx)
        accounts_demo.build(ctx)
    by_role = registry_demo._build_enterprises(ctx)
    t0 = time.perf_counter()
    with transaction.atomic():
        registry_demo.insert_premises(registry_demo._premises_rows(ctx, PREMISES, by_role))
    timings["premises_s"] = round(time.perf_counter() - t0, 1)

    housing = {d.region_code: d.pk for d in Department.objects.filter(kind="housing")}
    inspector = User.objects.get(username="ns_inspector").pk
    supervisor = User.objects.get(username="ns_supervisor").pk
    rng = ctx.rng
    now = timezone.now()
    today = timezone.localdate()
    t0 = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        raw = cursor.cursor
        cols = ", ".join(HAZARD_COLUMNS)
        last_id, n = 0, 0
        while True:
            # Read a chunk first, then COPY it: a COPY cannot share the connection with a cursor.
            chunk = list(
                Premises.objects.filter(id__gt=last_id)
                .order_by("id")
                .values_list("id", "region_code", "name", "enterprise_id")[:20000]
            )
            if not chunk:
                break
            last_id = chunk[-1][0]
            with raw.copy(f"COPY hazards_hazard ({cols}) FROM STDIN") as copy:
                for pid, region, name, ent in chunk:
                    n += 1
                    category, title, severity = PROBLEMS[rng.randrange(len(PROBLEMS))]
                    status = STATUSES[rng.randrange(len(STATUSES))]
                    found = now - timedelta(days=rng.randint(1, 200), minutes=rng.randint(0, 1440))
                    deadline = (found + timedelta(days=15 if severity == "major" else 30)).date()
                    closed = status == "closed"
                    copy.write_row(
                        (
                            now, now, region, f"YHB{n:010d}", "premises", pid, ent, name, "", "", category, title,
                            f"{title}（批量生成 {n}）", severity, "housing",
                            housing.get(region[:6]) or housing.get("4403"), "[]", "《全国城镇燃气安全专项整治工作方案》",
                            "责令限期改正", f"责任人{n % 997}", "", "已整改" if closed else "", "",
                            deadline if not closed else min(deadline, today), status, "inspection", "", found,
                            inspector, (found + timedelta(days=3)) if closed else None, severity == "major", 0,
                            supervisor if closed else None, 1 if closed else 0, 0,
                        )
                    )  # fmt: skip
        timings["hazards_s"] = round(time.perf_counter() - t0, 1)
        t0 = time.perf_counter()
        # Two history rows per hazard: the companion volume (≈ 2M rows at scale 1).
        cursor.execute(
            """
            INSERT INTO hazards_hazardhistory (created_at, updated_at, hazard_id, action, from_status, to_status,
                                               actor_id, actor_name, reason, data)
            SELECT found_at, found_at, id, 'register', '', 'pending', found_by_id, '检查员', description, '{}'::jsonb
              FROM hazards_hazard
            UNION ALL
            SELECT found_at, found_at, id, 'start', 'pending', status, found_by_id, '检查员', '', '{}'::jsonb
              FROM hazards_hazard
            """
        )
        timings["history_s"] = round(time.perf_counter() - t0, 1)

    t0 = time.perf_counter()
    with transaction.atomic():
        chain, _ = AuditChain.objects.get_or_create(name="main", defaults={"algorithm": default_algorithm()})
        seq, prev = chain.head_seq, chain.head_hash or GENESIS_HASH
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(
                "COPY audit_auditevent (chain_id, seq, event_type, occurred_at, actor_id, actor_name, object_type,"
                " object_id, region_code, payload_json, prev_hash, hash) FROM STDIN"
            ) as copy,
        ):
            base = datetime(2023, 9, 1, tzinfo=timezone.get_current_timezone())
            for i in range(EVENTS):
                seq += 1
                occurred = base + timedelta(seconds=i)
                payload = canonical_payload({"code": f"YHB{i:010d}", "from": "pending", "to": "rectifying"})
                digest = event_hash(
                    algorithm=chain.algorithm, chain=chain.name, seq=seq, event_type="HAZARD_STARTED",
                    occurred_at=occurred, actor_id=inspector, actor_name="李检查", object_type="hazard",
                    object_id=str(i + 1), region_code="440305", payload_json=payload, prev_hash=prev,
                )  # fmt: skip
                copy.write_row(
                    (chain.pk, seq, "HAZARD_STARTED", occurred, inspector, "李检查", "hazard", str(i + 1),
                     "440305", payload, prev, digest)
                )  # fmt: skip
                prev = digest
        AuditChain.objects.filter(pk=chain.pk).update(head_seq=seq, head_hash=prev)
    timings["audit_s"] = round(time.perf_counter() - t0, 1)
    # What autovacuum and the periodic hazards.rollup_compact task do on a live system.
    from gasguard.hazards import rollup

    rollup.compact()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return timings


generation = None
existing = Hazard.objects.count()
if args.regenerate or abs(existing - HAZARDS) > HAZARDS * 0.05:
    from gasguard.org.models import Region

    if existing or AuditEvent.objects.exists() or Region.objects.exists():
        connection.close()
        use_database(DB, recreate=True)
        call_command("migrate", verbosity=0)
    generation = generate()

from gasguard.accounts.models import User  # noqa: E402
from gasguard.hazards.selectors import hazard_list, hazard_ordering  # noqa: E402

inspector = User.objects.get(username="ns_inspector")
taskforce = User.objects.get(username="taskforce")
hazards = Hazard.objects.count()
streets = sorted(
    {
        c[:9]
        for c in Hazard.objects.filter(region_code__startswith="440305").values_list(
            "region_code", flat=True
        )[:2000]
    }
)
FILTERS = [
    lambda i: {"status": "pending", "page": str(1 + i % 10)},
    lambda i: {"region": streets[i % len(streets)], "severity": "major"},
    lambda i: {"overdue": "1", "page": str(1 + i % 5)},
    lambda i: {"category": "hose", "region": streets[i % len(streets)]},
    lambda i: {"q": "川菜"},
]

api_client = Client()
api_client.force_login(inspector)
tf_client = Client()
tf_client.force_login(taskforce)


def api_list(i):
    response = api_client.get("/api/hazards/hazards/", FILTERS[i % len(FILTERS)](i))
    assert response.status_code == 200, (response.status_code, response.content[:300])


def ui_list(i):
    response = api_client.get("/hazards/", FILTERS[i % len(FILTERS)](i))
    assert response.status_code == 200, response.status_code


def sql_list(i):
    params = dict(FILTERS[i % len(FILTERS)](i))
    page = int(params.pop("page", 1))
    # The same order as the API (the overdue list is ordered by deadline, see hazard_ordering).
    qs = hazard_list(user=inspector, filters=params).order_by(*hazard_ordering(params))[
        (page - 1) * 50 : page * 50
    ]
    sql, sql_params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, sql_params)
        cursor.fetchall()


def totals(i):
    params = [{}, {"severity": "major"}, {"overdue": "1"}, {"region": "440305"}][i % 4]
    response = tf_client.get("/api/hazards/hazards/totals/", params)
    assert response.status_code == 200


list_ms = timed(api_list, repeat=args.requests)
sql_ms = timed(sql_list, repeat=args.requests)
ui_ms = timed(ui_list, repeat=max(20, args.requests // 4))
totals_ms = timed(totals, repeat=max(20, args.requests // 2))

# Export in a child process so its peak RSS is the export's own.
child = subprocess.run(
    [sys.executable, __file__, "--export-child", str(EXPORT_ROWS)],
    capture_output=True,
    text=True,
    check=True,
    cwd=ROOT,
)
export = json.loads(child.stdout.strip().splitlines()[-1])


def build_import_workbook(n: int) -> str:
    """A ledger workbook of n rows naming premises that are unique by (name, grid)."""
    import xlsxwriter

    from gasguard.hazards.excel import IMPORT_HEADERS
    from gasguard.registry.models import Premises

    seen: dict[tuple[str, str], int] = {}
    for name, code in (
        Premises.objects.filter(region_code__startswith="440305")
        .values_list("name", "region_code")[: n * 3]
        .iterator(chunk_size=20000)
    ):
        seen[(name, code)] = seen.get((name, code), 0) + 1
    unique = [key for key, count in seen.items() if count == 1][:n]
    path = f"/tmp/ledger-import-{os.getpid()}.xlsx"
    workbook = xlsxwriter.Workbook(path, {"constant_memory": True})
    sheet = workbook.add_worksheet()
    sheet.write_row(0, 0, IMPORT_HEADERS)
    deadline = (timezone.localdate() + timedelta(days=30)).isoformat()
    for r in range(n):
        name, code = unique[r % len(unique)]
        sheet.write_row(
            r + 1,
            0,
            [
                name,
                code,
                "",
                "软管老化",
                f"导入隐患 {r}",
                "问题软管",
                "一般隐患",
                "住建",
                "张三",
                "",
                deadline,
                "",
                "待整改",
            ],
        )
    workbook.close()
    return path


from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402

from gasguard.hazards.excel import hazard_import  # noqa: E402

supervisor = User.objects.get(username="ns_supervisor")
workbook_path = build_import_workbook(IMPORT_ROWS)
with open(workbook_path, "rb") as handle:
    upload = SimpleUploadedFile("ledger.xlsx", handle.read())
os.unlink(workbook_path)
from django.conf import settings  # noqa: E402

settings.DATA_UPLOAD_MAX_MEMORY_SIZE = max(settings.DATA_UPLOAD_MAX_MEMORY_SIZE, upload.size + 1)
t0 = time.perf_counter()
result = hazard_import(actor=supervisor, upload=upload, valid_only=True)
import_s = time.perf_counter() - t0

from gasguard.audit.services import audit_verify  # noqa: E402

t0 = time.perf_counter()
verified = audit_verify()
verify_s = time.perf_counter() - t0

out = {
    "bench": "ledger",
    "scale": args.scale,
    "database": connection.vendor,
    "premises": PREMISES,
    "hazards": hazards,
    "requests": args.requests,
    "list_p95_ms": summary(list_ms)["p95"],
    "list_p50_ms": summary(list_ms)["p50"],
    "sql_list_p95_ms": summary(sql_ms)["p95"],
    "ui_list_p95_ms": summary(ui_ms)["p95"],
    "totals_p95_ms": summary(totals_ms)["p95"],
    "export_rows": export["rows"],
    "export_100k_s": export["seconds"],
    "export_peak_rss_mb": export["rss_mb"],
    "import_rows": result.total_rows,
    "import_created": result.created,
    "import_100k_s": round(import_s, 2),
    "audit_events": verified.events,
    "audit_ok": verified.ok,
    "audit_verify_1m_s": round(verify_s, 2),
    "generation": generation,
}
print(json.dumps(out, ensure_ascii=False))
