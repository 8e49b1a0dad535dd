"""The reading table, per database: partitioned by day on PostgreSQL, plain on SQLite."""

from django.db import migrations


def forwards(apps, schema_editor):
    from gasguard.monitoring.storage import create_reading_table

    create_reading_table(schema_editor)


def backwards(apps, schema_editor):
    from gasguard.monitoring.storage import drop_reading_table

    drop_reading_table(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
