"""Benchmark of the registry: scoped, filtered premises list (UI page and API page) through the
full Django stack on PostgreSQL with 1M premises, and the demo generator's insert rate.

Usage: .venv/bin/python bench/registry.py [--premises 1000000] [--requests 200] [--regenerate]
Prints one JSON line: {"bench": "registry", "premises": …, "list_p95_ms": …, "api_p95_ms": …,
"generate_rows_per_s": …, …}.
"""

import argparse
import json
import os
import time

from _common import summary, timed, use_database

parser = argparse.ArgumentParser()
parser.add_argument("--premises", type=int, default=int(os.environ.get("BENCH_PREMISES", 1_000_000)))
parser.add_argument("--requests", type=int, default=200)
parser.add_argument("--regenerate", action="store_true")
args = parser.parse_args()

use_database("gg_bench_registry")

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402

from gasguard.core.demo import DemoContext  # noqa: E402
from gasguard.registry.models import Premises  # noqa: E402

call_command("migrate", verbosity=0)
generate_rows_per_s = None
existing = Premises.objects.count()
if args.regenerate or abs(existing - args.premises) > args.premises * 0.01:
    if existing:
        connection.close()
        use_database("gg_bench_registry", recreate=True)
        call_command("migrate", verbosity=0)
    from gasguard.accounts import demo as accounts_demo
    from gasguard.org import demo as org_demo
    from gasguard.registry import demo as registry_demo

    ctx = DemoContext(scale=args.premises / 8000)
    with transaction.atomic():
        org_demo.build(ctx)
        accounts_demo.build(ctx)
    by_role = registry_demo._build_enterprises(ctx)
    t0 = time.perf_counter()
    with transaction.atomic():
        inserted = registry_demo.insert_premises(registry_demo._premises_rows(ctx, args.premises, by_role))
    generate_rows_per_s = round(inserted / (time.perf_counter() - t0))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

from gasguard.accounts.models import User  # noqa: E402

user = User.objects.get(username="ns_inspector")
premises = Premises.objects.count()
in_scope = Premises.objects.filter(region_code__startswith="440305").count()
streets = list(
    Premises.objects.filter(region_code__startswith="440305")
    .values_list("region_code", flat=True)
    .distinct()[:200]
)
street_codes = sorted({code[:9] for code in streets})

client = Client()
client.force_login(user)
token, _ = Token.objects.get_or_create(user=user)
api = Client(HTTP_AUTHORIZATION=f"Token {token.key}")

queries = [
    lambda i: f"kind=restaurant&gas_lpg=true&page={1 + i % 20}",
    lambda i: f"region={street_codes[i % len(street_codes)]}&kind=restaurant",
    lambda i: f"q=川菜&page={1 + i % 3}",
    lambda i: f"region={street_codes[i % len(street_codes)]}&underground=semi",
]


def list_page(i):
    response = client.get(f"/registry/premises/?{queries[i % len(queries)](i)}")
    assert response.status_code == 200, response.status_code


def api_page(i):
    response = api.get(f"/api/registry/premises/?{queries[i % len(queries)](i)}")
    assert response.status_code == 200, (response.status_code, response.content[:300])


list_ms = timed(list_page, repeat=args.requests)
api_ms = timed(api_page, repeat=args.requests)
result = {
    "bench": "registry",
    "database": connection.vendor,
    "premises": premises,
    "premises_in_scope": in_scope,
    "requests": args.requests,
    "list_p50_ms": summary(list_ms)["p50"],
    "list_p95_ms": summary(list_ms)["p95"],
    "api_p50_ms": summary(api_ms)["p50"],
    "api_p95_ms": summary(api_ms)["p95"],
    "generate_rows_per_s": generate_rows_per_s,
}
print(json.dumps(result, ensure_ascii=False))
