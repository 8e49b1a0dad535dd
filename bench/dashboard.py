"""Benchmark: dashboard figures for a province and a county, and a city's monthly report.

Builds a province-sized dataset directly with COPY (≥ 100 counties; at --scale 1: 1,000,000
hazards, 100,000 public reports, 300,000 sealed inspections, 200,000 premises, 30,000
enforcement actions) in its own PostgreSQL database, then measures through the Django test
client: GET /api/dashboard/summary/ + /api/dashboard/trend/ (cache off = every request hits the
database), p95 over --repeat requests, plus the same with the per-(scope, day) cache on; and the
monthly report of one city (figures + Word + Excel) in seconds. `province_p95_ms` and
`county_p95_ms` are cold (cache off); `province_cached_p95_ms` is after the warm-up task
(`gasguard warm_dashboard`, timed as `warm_cycle_s` for the province and its cities).

    .venv/bin/python bench/dashboard.py --scale 0.01        # small validation run
    .venv/bin/python bench/dashboard.py                      # full size (1M hazards)

Prints one JSON line: {"bench": "dashboard", "hazards": …, "province_p95_ms": …,
"county_p95_ms": …, "monthly_report_city_s": …, …}.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import percentile, use_database  # noqa: E402

TZ = ZoneInfo("Asia/Shanghai")
CITIES = 10
COUNTIES_PER_CITY = 11  # 110 counties
STREETS_PER_COUNTY = 8
CATEGORY_LEAD = {
    "gas": "market",
    "cylinder": "market",
    "valve": "market",
    "hose": "fire",
    "pipeline": "housing",
    "environment": "fire",
    "enterprise": "housing",
    "enforcement": "commerce",
    "other": "housing",
}
SOURCES = ["inspection"] * 6 + ["self_check", "report", "monitoring", "delivery_check", "filling_gate"]
OPEN = ["pending", "rectifying", "controlled", "awaiting_verification"]


def copy_rows(model, rows, fields: list[str]) -> int:
    """COPY rows (tuples in `fields` order, other columns filled with defaults) into model's table."""
    from django.db import connection

    concrete = [f for f in model._meta.concrete_fields if not f.primary_key]
    now = datetime.now(TZ)
    columns, fillers = [], []
    for f in concrete:
        columns.append(f.column)
        if f.attname in fields:
            fillers.append(("idx", fields.index(f.attname)))
        elif getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            fillers.append(("const", now))
        elif f.has_default():
            value = f.get_default()
            if isinstance(value, list | dict):
                value = json.dumps(value)
            fillers.append(("const", value))
        elif f.null:
            fillers.append(("const", None))
        else:
            fillers.append(("const", ""))
    sql = f'COPY "{model._meta.db_table}" ({", ".join(columns)}) FROM STDIN'
    n = 0
    with connection.cursor() as cursor:
        raw = cursor.cursor
        with raw.copy(sql) as copy:
            for row in rows:
                copy.write_row([row[i] if kind == "idx" else i for kind, i in fillers])
                n += 1
    return n


def build(scale: float, rng: random.Random) -> dict:
    from django.db import connection

    from gasguard.accounts.models import Membership, User
    from gasguard.hazards.models import EnforcementAction, Hazard
    from gasguard.inspections.models import Inspection
    from gasguard.org.models import Department, Region, TaskForce
    from gasguard.registry.models import Premises
    from gasguard.tips.models import Tip

    province = Region.objects.create(code="44", name="基准省", level=1)
    regions, streets, counties = [], [], []
    for c in range(1, CITIES + 1):
        city = Region(code=f"44{c:02d}", name=f"基准市{c}", level=2, parent=province)
        regions.append(city)
    Region.objects.bulk_create(regions)
    county_rows = []
    for city in regions:
        for k in range(1, COUNTIES_PER_CITY + 1):
            county_rows.append(
                Region(code=f"{city.code}{k:02d}", name=f"{city.name}区{k}", level=3, parent=city)
            )
    Region.objects.bulk_create(county_rows)
    counties = county_rows
    street_rows = []
    for county in counties:
        for s in range(1, STREETS_PER_COUNTY + 1):
            street_rows.append(
                Region(code=f"{county.code}{s:03d}", name=f"{county.name}街道{s}", level=4, parent=county)
            )
    Region.objects.bulk_create(street_rows)
    streets = list(Region.objects.filter(level=4).values_list("id", "code"))
    depts = []
    for county in counties:
        for kind in ("housing", "fire", "market", "commerce"):
            depts.append(
                Department(region=county, region_code=county.code, kind=kind, name=f"{county.name}{kind}")
            )
    Department.objects.bulk_create(depts)
    dept_id = {(d.region_code, d.kind): d.pk for d in Department.objects.all()}
    prov_dept = Department.objects.create(region=province, region_code="44", kind="housing", name="省住建")
    tf = TaskForce.objects.create(region=province, name="省专班", lead=prov_dept)
    admin = User.objects.create(username="bench_province", real_name="省专班")
    Membership.objects.create(user=admin, role="taskforce_admin", task_force=tf)
    county_user = User.objects.create(username="bench_county", real_name="区监管")
    Membership.objects.create(
        user=county_user, role="supervisor", department_id=dept_id[(counties[0].code, "housing")]
    )
    city_dept = Department.objects.create(
        region=regions[0], region_code=regions[0].code, kind="housing", name="市住建"
    )
    city_tf = TaskForce.objects.create(region=regions[0], name="市专班", lead=city_dept)
    city_user = User.objects.create(username="bench_city", real_name="市专班")
    Membership.objects.create(user=city_user, role="taskforce_admin", task_force=city_tf)
    verifier = User.objects.create(username="bench_verifier", real_name="验收")

    n_premises = max(1000, int(200_000 * scale))
    premises_rows = []
    for i in range(n_premises):
        region_id, code = streets[rng.randrange(len(streets))]
        premises_rows.append(
            (f"场所{i}", "restaurant", region_id, code, f"地址{i}", 113 + rng.random(), 22 + rng.random())
        )
    copy_rows(Premises, premises_rows, ["name", "kind", "region_id", "region_code", "address", "lon", "lat"])
    premises = list(Premises.objects.values_list("id", "region_code"))

    start = datetime(2023, 8, 1, tzinfo=TZ)
    now = datetime.now(TZ)
    span = (now - start).total_seconds()
    n_hazards = max(1000, int(1_000_000 * scale))
    categories = list(CATEGORY_LEAD)

    def hazards():
        for _ in range(n_hazards):
            pid, code = premises[rng.randrange(len(premises))]
            category = categories[rng.randrange(len(categories))]
            lead = CATEGORY_LEAD[category]
            found = start + timedelta(seconds=rng.random() * span)
            deadline = (found + timedelta(days=rng.randint(7, 60))).date()
            major = rng.random() < 0.05
            closed_at = None
            if rng.random() < 0.75:
                closed_at = min(found + timedelta(days=rng.randint(0, 70), hours=rng.randint(0, 23)), now)
            status = "closed" if closed_at else OPEN[rng.randrange(4)]
            yield (
                code,
                "premises",
                pid,
                "基准场所",
                category,
                "隐患",
                "隐患描述",
                "major" if major else "general",
                lead,
                dept_id[(code[:6], lead)],
                deadline,
                status,
                SOURCES[rng.randrange(len(SOURCES))],
                found,
                closed_at,
                major,
                verifier.pk if closed_at else None,
                1 if closed_at else 0,
            )

    copy_rows(
        Hazard,
        hazards(),
        [
            "region_code",
            "target_type",
            "premises_id",
            "target_name",
            "category",
            "title",
            "description",
            "severity",
            "lead_department_kind",
            "lead_department_id",
            "deadline",
            "status",
            "source",
            "found_at",
            "closed_at",
            "is_supervised",
            "verified_by_id",
            "evidence_count",
        ],
    )
    n_tips = max(200, int(100_000 * scale))
    outcomes = ["confirmed", "confirmed", "unfounded", "duplicate", "not_accepted", ""]

    def tips():
        for i in range(n_tips):
            region_id, code = streets[rng.randrange(len(streets))]
            outcome = outcomes[rng.randrange(len(outcomes))]
            created = start + timedelta(seconds=rng.random() * span)
            yield (
                code,
                f"B{i:011d}",
                "web",
                "hose",
                "举报内容",
                region_id,
                outcome or "",
                outcome or "received",
                created,
            )

    copy_rows(
        Tip,
        tips(),
        [
            "region_code",
            "code",
            "channel",
            "category",
            "description",
            "region_id",
            "outcome",
            "status",
            "created_at",
        ],
    )
    n_inspections = max(300, int(300_000 * scale))

    def inspections():
        for _ in range(n_inspections):
            pid, code = premises[rng.randrange(len(premises))]
            yield (
                code,
                "premises",
                pid,
                "基准场所",
                admin.pk,
                "1",
                "sealed",
                start + timedelta(seconds=rng.random() * span),
            )

    copy_rows(
        Inspection,
        inspections(),
        [
            "region_code",
            "target_type",
            "premises_id",
            "target_name",
            "created_by_id",
            "catalog_version",
            "status",
            "submitted_at",
        ],
    )
    hazard_ids = list(
        Hazard.objects.order_by("?").values_list("id", "region_code")[: max(100, int(30_000 * scale))]
    )
    copy_rows(
        EnforcementAction,
        (
            (
                code,
                hid,
                "fine",
                rng.randint(1, 50) * 1000,
                (start + timedelta(seconds=rng.random() * span)).date(),
            )
            for hid, code in hazard_ids
        ),
        ["region_code", "hazard_id", "kind", "fine_amount", "decided_on"],
    )
    # What autovacuum and the periodic hazards.rollup_compact task do on a live system.
    from gasguard.hazards import rollup
    from gasguard.registry import rollup as premises_rollup

    rollup.compact()
    premises_rollup.compact()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return {
        "province": "44",
        "county": counties[0].code,
        "city": regions[0].code,
        "hazards": Hazard.objects.count(),
        "tips": n_tips,
        "inspections": n_inspections,
        "premises": n_premises,
        "counties": len(counties),
    }


def measure(user, region: str, repeat: int) -> list[float]:
    from django.test import Client

    client = Client()
    client.force_login(user)
    times = []
    for i in range(repeat + 1):
        t0 = time.perf_counter()
        r1 = client.get(f"/api/dashboard/summary/?region={region}")
        r2 = client.get(f"/api/dashboard/trend/?region={region}&interval=week")
        elapsed = (time.perf_counter() - t0) * 1000
        assert r1.status_code == 200 and r2.status_code == 200, (r1.status_code, r1.content[:300])
        if i:  # the first request warms connections and imports
            times.append(elapsed)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=float, default=float(os.environ.get("BENCH_SCALE", 1.0)))
    parser.add_argument("--repeat", type=int, default=int(os.environ.get("BENCH_REPEAT", 20)))
    parser.add_argument("--keep", action="store_true", help="reuse the existing dataset if present")
    args = parser.parse_args()
    use_database("gg_bench_dashboard", recreate=not args.keep)
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from gasguard.accounts.models import User
    from gasguard.hazards.models import Hazard
    from gasguard.org.models import Region

    t0 = time.perf_counter()
    if args.keep and Hazard.objects.exists():
        info = {
            "province": "44",
            "county": Region.objects.filter(level=3).order_by("code").values_list("code", flat=True).first(),
            "city": "4401",
            "hazards": Hazard.objects.count(),
        }
    else:
        info = build(args.scale, random.Random(20230809))
    build_s = time.perf_counter() - t0

    province_user = User.objects.get(username="bench_province")
    county_user = User.objects.get(username="bench_county")
    settings.GASGUARD_DASHBOARD_CACHE_SECONDS = 0
    province = measure(province_user, info["province"], args.repeat)
    county = measure(county_user, info["county"], args.repeat)
    settings.GASGUARD_DASHBOARD_CACHE_SECONDS = 60
    from gasguard.dashboard.selectors import dashboard_warm

    t0 = time.perf_counter()
    dashboard_warm(max_level=2)  # what the periodic warm-up task does (province + its cities)
    warm_s = time.perf_counter() - t0
    province_cached = measure(province_user, info["province"], args.repeat)

    from gasguard.campaigns import selectors as sel
    from gasguard.campaigns.documents import monthly_report_docx, monthly_report_xlsx

    city = Region.objects.get(code=info["city"])
    today = date.today()
    month = (
        sel.month_start(today)
        if sel.report_is_final(sel.month_start(today), today)
        else sel.month_start(sel.month_start(today) - timedelta(days=1))
    )
    t0 = time.perf_counter()
    figures = sel.report_figures(region=city, month=month)
    monthly_report_docx(figures=figures, narrative={"work_summary": "基准"})
    monthly_report_xlsx(figures=figures)
    report_s = time.perf_counter() - t0

    print(
        json.dumps(
            {
                "bench": "dashboard",
                "scale": args.scale,
                "hazards": info["hazards"],
                "tips": info.get("tips"),
                "counties": info.get("counties"),
                "province_p95_ms": round(percentile(province, 95), 1),
                "province_p50_ms": round(percentile(province, 50), 1),
                "county_p95_ms": round(percentile(county, 95), 1),
                "province_cached_p95_ms": round(percentile(province_cached, 95), 1),
                "warm_cycle_s": round(warm_s, 2),
                "monthly_report_city_s": round(report_s, 2),
                "build_s": round(build_s, 1),
                "repeat": args.repeat,
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
