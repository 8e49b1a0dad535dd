"""PostgreSQL only: a bigram GIN index for the ledger search box and a partial index for the
overdue list (open hazards by region and deadline). See registry 0002 for gg_bigrams."""

from django.db import migrations

INDEXES = [
    """CREATE INDEX IF NOT EXISTS hazards_hazard_bigram_idx ON hazards_hazard USING gin (
        gg_bigrams(lower(coalesce(code, '') || ' ' || target_name || ' ' || title || ' ' || responsible_person)))""",
    """CREATE INDEX IF NOT EXISTS hazards_hazard_open_deadline_idx ON hazards_hazard (region_code, deadline, id)
        WHERE status <> 'closed'""",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for sql in INDEXES:
        schema_editor.execute(sql)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS hazards_hazard_bigram_idx")
    schema_editor.execute("DROP INDEX IF EXISTS hazards_hazard_open_deadline_idx")


class Migration(migrations.Migration):
    dependencies = [("hazards", "0003_ledger_list_index"), ("registry", "0002_premises_search_bigram_index")]

    operations = [migrations.RunPython(forward, backward)]
