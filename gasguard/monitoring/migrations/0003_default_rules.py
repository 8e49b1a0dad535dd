"""Install the built-in alarm rules (thresholds from settings; see docs/monitoring.md §4)."""

from django.db import migrations


def forwards(apps, schema_editor):
    from gasguard.monitoring.rules import default_rules

    AlarmRule = apps.get_model("monitoring", "AlarmRule")
    for spec in default_rules():
        AlarmRule.objects.get_or_create(
            code=spec["code"],
            device_type=spec["device_type"],
            device=None,
            defaults={k: v for k, v in spec.items() if k not in ("code", "device_type")},
        )


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0002_reading_table")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
