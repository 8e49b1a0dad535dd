"""PostgreSQL only: a covering index so ledger totals for a city (1M hazards) are an
index-only scan instead of a scan of the wide hazard rows (bench/ledger.py totals_p95_ms)."""

from django.db import migrations

INDEX = """CREATE INDEX IF NOT EXISTS hazards_hazard_totals_idx ON hazards_hazard
    (region_code, status, severity, deadline, is_supervised, reappeared_from_id)"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(INDEX)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS hazards_hazard_totals_idx")


class Migration(migrations.Migration):
    dependencies = [("hazards", "0004_ledger_search_and_overdue_indexes")]

    operations = [migrations.RunPython(forward, backward)]
