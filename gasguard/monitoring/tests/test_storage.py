"""Storage: day partitions (PostgreSQL), retention drops raw readings but keeps aggregates,
the management commands, and `makemigrations --check` staying clean with the unmanaged table."""

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from gasguard.monitoring import storage
from gasguard.monitoring.models import Reading, ReadingHourly


@pytest.mark.django_db(transaction=True)
def test_retention_keeps_aggregates(dev):
    old = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(days=20)
    new = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=5)
    rows = [(dev.pk, "methane", old + timedelta(minutes=i), float(i)) for i in range(10)]
    rows += [(dev.pk, "methane", new + timedelta(seconds=i), 1.0) for i in range(3)]
    with transaction.atomic():
        assert len(storage.write_readings(rows)) == 13
    with transaction.atomic():
        assert storage.write_readings(rows) == []  # all duplicates
    if connection.vendor == "postgresql":
        assert old.date() in storage.existing_partitions()
    out = StringIO()
    call_command("monitoring", "retention", "--days", "10", stdout=out)
    assert "dropped" in out.getvalue()
    assert Reading.objects.filter(device_id=dev.pk).count() == 3
    hourly = ReadingHourly.objects.get(device_id=dev.pk, hour=old)
    assert (hourly.count, hourly.vmin, hourly.vmax, hourly.avg) == (10, 0.0, 9.0, 4.5)
    if connection.vendor == "postgresql":
        assert old.date() not in storage.existing_partitions()


@pytest.mark.django_db(transaction=True)
def test_commands_run(dev):
    for args in (("partitions", "--days", "3"), ("check_offline",), ("escalate",), ("rules",)):
        out = StringIO()
        call_command("monitoring", *args, stdout=out)
        assert out.getvalue()


@pytest.mark.django_db
def test_makemigrations_check_clean():
    call_command("makemigrations", "monitoring", "--check", "--dry-run", stdout=StringIO())


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_reading_table_is_partitioned():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    with connection.cursor() as cur:
        cur.execute("SELECT relkind FROM pg_class WHERE relname = 'monitoring_reading'")
        assert cur.fetchone()[0] == "p"
    assert datetime.now(UTC).date() in storage.existing_partitions()
