"""PostgreSQL only: a bigram GIN index for the premises search box (`q`).

Chinese searches are mostly two characters (川菜, 学校), too short for pg_trgm, and an
ILIKE over every premises of a district is too slow at a million rows. The index stores the
two-character pieces of lower(name || ' ' || address || ' ' || operator_name); the filter
asks for rows holding every bigram of the query (index), then rechecks with ILIKE (exact).
"""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION gg_bigrams(t text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS
$$ SELECT coalesce(array_agg(substr(t, i, 2)), '{}') FROM generate_series(1, greatest(length(t) - 1, 0)) AS i $$
"""
INDEX = """
CREATE INDEX IF NOT EXISTS registry_premises_bigram_idx ON registry_premises
USING gin (gg_bigrams(lower(name || ' ' || address || ' ' || operator_name)))
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION)
    schema_editor.execute(INDEX)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS registry_premises_bigram_idx")
    schema_editor.execute("DROP FUNCTION IF EXISTS gg_bigrams(text)")


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
