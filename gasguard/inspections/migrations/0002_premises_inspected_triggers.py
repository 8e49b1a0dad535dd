"""Sealed inspections keep their premises' `last_inspected_at` and `inspection_count` (registry
migration 0003) up to date, in the same transaction, whatever writes them (service, import,
COPY). PostgreSQL: statement-level triggers (one UPDATE per statement); SQLite: row triggers.
The existing records are counted once here."""

from django.db import migrations

PG = [
    """CREATE OR REPLACE FUNCTION inspections_premises_seen_insert() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE registry_premises p
           SET last_inspected_at = greatest(p.last_inspected_at, x.last), inspection_count = p.inspection_count + x.n
          FROM (SELECT premises_id, max(coalesce(submitted_at, now())) AS last, count(*) AS n
                  FROM new_rows WHERE status = 'sealed' AND premises_id IS NOT NULL GROUP BY premises_id) x
         WHERE p.id = x.premises_id;
        RETURN NULL;
    END $$""",
    """CREATE OR REPLACE FUNCTION inspections_premises_seen_update() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE registry_premises p
           SET last_inspected_at = greatest(p.last_inspected_at, x.last), inspection_count = p.inspection_count + x.n
          FROM (SELECT n.premises_id, max(coalesce(n.submitted_at, now())) AS last, count(*) AS n
                  FROM new_rows n JOIN old_rows o ON o.id = n.id
                 WHERE n.status = 'sealed' AND o.status <> 'sealed' AND n.premises_id IS NOT NULL
                 GROUP BY n.premises_id) x
         WHERE p.id = x.premises_id;
        RETURN NULL;
    END $$""",
    "DROP TRIGGER IF EXISTS inspections_premises_seen_insert ON inspections_inspection",
    """CREATE TRIGGER inspections_premises_seen_insert AFTER INSERT ON inspections_inspection
       REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION inspections_premises_seen_insert()""",
    "DROP TRIGGER IF EXISTS inspections_premises_seen_update ON inspections_inspection",
    """CREATE TRIGGER inspections_premises_seen_update AFTER UPDATE ON inspections_inspection
       REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
       FOR EACH STATEMENT EXECUTE FUNCTION inspections_premises_seen_update()""",
]
SQLITE_SET = """UPDATE registry_premises
       SET last_inspected_at = CASE WHEN last_inspected_at IS NULL OR last_inspected_at < coalesce(NEW.submitted_at, '')
                                    THEN coalesce(NEW.submitted_at, last_inspected_at) ELSE last_inspected_at END,
           inspection_count = inspection_count + 1
     WHERE id = NEW.premises_id;"""
SQLITE = [
    f"""CREATE TRIGGER IF NOT EXISTS inspections_premises_seen_insert AFTER INSERT ON inspections_inspection
        WHEN NEW.status = 'sealed' AND NEW.premises_id IS NOT NULL BEGIN {SQLITE_SET} END""",
    f"""CREATE TRIGGER IF NOT EXISTS inspections_premises_seen_update AFTER UPDATE OF status ON inspections_inspection
        WHEN NEW.status = 'sealed' AND OLD.status <> 'sealed' AND NEW.premises_id IS NOT NULL BEGIN {SQLITE_SET} END""",
]
FILL = """UPDATE registry_premises SET
    last_inspected_at = (SELECT max(i.submitted_at) FROM inspections_inspection i
                          WHERE i.premises_id = registry_premises.id AND i.status = 'sealed'),
    inspection_count = (SELECT count(*) FROM inspections_inspection i
                         WHERE i.premises_id = registry_premises.id AND i.status = 'sealed')
  WHERE id IN (SELECT premises_id FROM inspections_inspection WHERE status = 'sealed')"""


def forward(apps, schema_editor):
    for statement in PG if schema_editor.connection.vendor == "postgresql" else SQLITE:
        schema_editor.execute(statement)
    schema_editor.execute(FILL)


def backward(apps, schema_editor):
    for op in ("insert", "update"):
        schema_editor.execute(f"DROP TRIGGER IF EXISTS inspections_premises_seen_{op} ON inspections_inspection"
                              if schema_editor.connection.vendor == "postgresql"
                              else f"DROP TRIGGER IF EXISTS inspections_premises_seen_{op}")


class Migration(migrations.Migration):
    dependencies = [("inspections", "0001_inspection_records"), ("registry", "0003_premises_count_cube")]

    operations = [migrations.RunPython(forward, backward)]
