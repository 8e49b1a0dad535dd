"""Storage: day partitions (PostgreSQL), retention drops raw readings but keeps aggregates,
the management commands, and `makemigrations --check` staying clean with the unmanaged table."""

from datetime import UTC, date, datetime, timedelta
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


@pytest.mark.django_db(transaction=True)
def test_write_returns_exactly_the_new_rows_and_aggregates_them_once(dev):
    t = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=10)
    first = [(dev.pk, "methane", t + timedelta(seconds=i), float(i)) for i in range(5)]
    with transaction.atomic():
        assert storage.write_readings(first) == first
    # Two already stored, one repeated inside the batch (the first copy wins), two new.
    batch = [
        first[1],
        (dev.pk, "methane", t + timedelta(seconds=10), 10.0),
        first[3],
        (dev.pk, "methane", t + timedelta(seconds=10), 99.0),
        (dev.pk, "battery", t + timedelta(seconds=10), 80.0),
    ]
    with transaction.atomic():
        new = storage.write_readings(batch)
    assert sorted(new) == sorted([batch[1], batch[4]])
    assert Reading.objects.get(device_id=dev.pk, metric="methane", ts=t + timedelta(seconds=10)).value == 10.0
    hourly = ReadingHourly.objects.filter(device_id=dev.pk)
    assert sum(h.count for h in hourly) == 7 == Reading.objects.filter(device_id=dev.pk).count()
    assert max(h.vmax for h in hourly.filter(metric="methane")) == 10.0


def test_copy_text_formats_rows_for_postgres():
    t = datetime(2026, 12, 1, 8, 30, 0, 123000, tzinfo=UTC)
    text = storage._copy_text([(7, "methane", t, 0.1), (7, "valve", t, 1)])
    assert text == (
        "7\tmethane\t2026-12-01T08:30:00.123000+00:00\t0.1\n7\tvalve\t2026-12-01T08:30:00.123000+00:00\t1.0\n"
    )


def test_days_spanned_covers_every_day_between():
    t = datetime(2026, 12, 1, 23, 0, tzinfo=UTC)
    rows = [(1, "methane", t, 1.0), (1, "methane", t + timedelta(days=1, hours=2), 1.0)]
    assert storage.days_spanned(rows) == {date(2026, 12, d) for d in (1, 2, 3)}
    assert storage.days_spanned([]) == set()
