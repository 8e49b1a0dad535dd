"""Reading storage: per-vendor DDL, day partitions, batch writes with hourly aggregates, retention.

PostgreSQL: `monitoring_reading` is RANGE-partitioned by day on `ts` (partitions named
`monitoring_reading_pYYYYMMDD`, created ahead by `gasguard monitoring partitions` and on demand
by ingest). A batch (deduplicated) is COPY'd into a session temp table, then one statement inserts
it with ON CONFLICT DO NOTHING, folds exactly the rows that were new into
`monitoring_readinghourly` and returns the keys that were already stored.
SQLite: a plain WITHOUT ROWID table; rows go in one by one with RETURNING (tests, demo).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta

from django.db import connection, transaction

log = logging.getLogger(__name__)

PG_TABLE = """
CREATE TABLE IF NOT EXISTS monitoring_reading (
    device_id integer NOT NULL,
    metric varchar(16) NOT NULL,
    ts timestamptz NOT NULL,
    value double precision NOT NULL,
    PRIMARY KEY (device_id, metric, ts)
) PARTITION BY RANGE (ts)
"""
SQLITE_TABLE = """
CREATE TABLE IF NOT EXISTS monitoring_reading (
    device_id integer NOT NULL,
    metric varchar(16) NOT NULL,
    ts datetime NOT NULL,
    value real NOT NULL,
    PRIMARY KEY (device_id, metric, ts)
) WITHOUT ROWID
"""

_known_partitions: set[date] = set()
_known_loaded_for: object = None

Row = tuple[int, str, datetime, float]  # (device_id, metric, ts (aware UTC), value)


def create_reading_table(schema_editor) -> None:
    """Migration helper: the reading table in the right shape for the database."""
    conn = schema_editor.connection
    if conn.vendor == "postgresql":
        schema_editor.execute(PG_TABLE)
        today = datetime.now(UTC).date()
        for offset in range(-8, 8):
            schema_editor.execute(_partition_ddl(today + timedelta(days=offset)))
    else:
        schema_editor.execute(SQLITE_TABLE)


def drop_reading_table(schema_editor) -> None:
    schema_editor.execute("DROP TABLE IF EXISTS monitoring_reading")


def _partition_name(day: date) -> str:
    return f"monitoring_reading_p{day:%Y%m%d}"


def _partition_ddl(day: date) -> str:
    nxt = day + timedelta(days=1)
    return (
        f"CREATE TABLE IF NOT EXISTS {_partition_name(day)} PARTITION OF monitoring_reading "
        f"FOR VALUES FROM ('{day.isoformat()} 00:00:00+00') TO ('{nxt.isoformat()} 00:00:00+00')"
    )


def existing_partitions() -> dict[date, str]:
    """Day partitions of the reading table on PostgreSQL ({} elsewhere)."""
    if connection.vendor != "postgresql":
        return {}
    with connection.cursor() as cur:
        cur.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'monitoring_reading'"
        )
        out = {}
        for (name,) in cur.fetchall():
            try:
                out[datetime.strptime(name[-8:], "%Y%m%d").date()] = name
            except ValueError:
                continue
        return out


def ensure_partitions(days) -> int:
    """Create missing day partitions (PostgreSQL); safe when several workers race. Returns created."""
    global _known_loaded_for
    if connection.vendor != "postgresql":
        return 0
    # The cache is per database (tests switch databases).
    if _known_loaded_for != connection.settings_dict["NAME"]:
        _known_partitions.clear()
        _known_partitions.update(existing_partitions())
        _known_loaded_for = connection.settings_dict["NAME"]
    missing = sorted(set(days) - _known_partitions)
    created = 0
    for day in missing:
        with transaction.atomic():
            with connection.cursor() as cur:
                cur.execute("SELECT pg_advisory_xact_lock(424242)")
                cur.execute("SELECT to_regclass(%s)", [_partition_name(day)])
                if cur.fetchone()[0] is None:
                    cur.execute(_partition_ddl(day))
                    created += 1
        _known_partitions.add(day)
    return created


def forget_partitions() -> None:
    """Drop the partition cache (after a failed transaction that may have rolled a DDL back)."""
    global _known_loaded_for
    _known_partitions.clear()
    _known_loaded_for = None


def drop_partitions_before(cutoff: date) -> list[str]:
    """Retention: drop raw partitions that end on or before `cutoff` (aggregates stay)."""
    dropped = []
    if connection.vendor == "postgresql":
        for day, name in sorted(existing_partitions().items()):
            if day + timedelta(days=1) <= cutoff:
                with connection.cursor() as cur:
                    cur.execute(f'DROP TABLE IF EXISTS "{name}"')
                _known_partitions.discard(day)
                dropped.append(name)
    else:
        limit = connection.ops.adapt_datetimefield_value(
            datetime.combine(cutoff, datetime.min.time(), tzinfo=UTC)
        )
        with connection.cursor() as cur:
            cur.execute("DELETE FROM monitoring_reading WHERE ts < %s", [limit])
            if cur.rowcount:
                dropped.append(f"{cur.rowcount} rows")
    return dropped


_PG_TEMP = (
    "CREATE TEMP TABLE IF NOT EXISTS monitoring_reading_in "
    "(device_id integer, metric varchar(16), ts timestamptz, value double precision) ON COMMIT DELETE ROWS"
)
# The batch has unique keys (deduplicated in Python). Only the rows that were NOT new come back
# (normally none): sending every inserted row back to Python cost more than the insert itself.
# Rows are written in key order, so two workers whose batches share hourly rows (or, after a
# redelivery, readings) wait for each other instead of deadlocking.
_PG_MERGE = """
WITH ins AS (
    INSERT INTO monitoring_reading (device_id, metric, ts, value)
    SELECT device_id, metric, ts, value FROM monitoring_reading_in ORDER BY 1, 2, 3
    ON CONFLICT DO NOTHING
    RETURNING device_id, metric, ts, value
), agg AS (
    INSERT INTO monitoring_readinghourly AS h (device_id, metric, hour, vmin, vmax, vsum, count)
    SELECT device_id, metric, date_trunc('hour', ts), min(value), max(value), sum(value), count(*)
    FROM ins GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    ON CONFLICT (device_id, metric, hour) DO UPDATE SET
        vmin = LEAST(h.vmin, EXCLUDED.vmin), vmax = GREATEST(h.vmax, EXCLUDED.vmax),
        vsum = h.vsum + EXCLUDED.vsum, count = h.count + EXCLUDED.count
)
SELECT i.device_id, i.metric, i.ts FROM monitoring_reading_in i
WHERE NOT EXISTS (
    SELECT FROM ins WHERE ins.device_id = i.device_id AND ins.metric = i.metric AND ins.ts = i.ts
)
"""
_SQLITE_HOURLY = """
INSERT INTO monitoring_readinghourly (device_id, metric, hour, vmin, vmax, vsum, count)
VALUES (%s, %s, %s, %s, %s, %s, %s)
ON CONFLICT (device_id, metric, hour) DO UPDATE SET
    vmin = min(vmin, excluded.vmin), vmax = max(vmax, excluded.vmax),
    vsum = vsum + excluded.vsum, count = count + excluded.count
"""


def write_readings(rows: list[Row], *, assume_new: bool = False) -> list[Row]:
    """Insert readings (duplicates ignored) and fold the new ones into hourly aggregates.

    Must run inside a transaction; returns the rows that were actually new, which are the
    only ones the alarm rules look at (a redelivered batch raises nothing twice).
    """
    if not rows:
        return []
    if connection.vendor == "postgresql":
        return _write_pg(rows)
    adapt = connection.ops.adapt_datetimefield_value
    inserted: list[Row] = []
    with connection.cursor() as cur:
        if assume_new:  # bulk loads of rows known to be new (the demo): one executemany
            cur.executemany(
                "INSERT INTO monitoring_reading (device_id, metric, ts, value) VALUES (%s, %s, %s, %s)",
                [(d, m, adapt(t), v) for d, m, t, v in rows],
            )
            inserted = list(rows)
        for device_id, metric, ts, value in [] if assume_new else rows:
            cur.execute(
                "INSERT INTO monitoring_reading (device_id, metric, ts, value) VALUES (%s, %s, %s, %s) "
                "ON CONFLICT DO NOTHING RETURNING device_id",
                [device_id, metric, adapt(ts), value],
            )
            if cur.fetchone() is not None:
                inserted.append((device_id, metric, ts, value))
        hourly: dict[tuple, list[float]] = defaultdict(lambda: [float("inf"), float("-inf"), 0.0, 0])
        for device_id, metric, ts, value in inserted:
            h = hourly[(device_id, metric, ts.astimezone(UTC).replace(minute=0, second=0, microsecond=0))]
            h[0], h[1], h[2], h[3] = min(h[0], value), max(h[1], value), h[2] + value, h[3] + 1
        if hourly:
            cur.executemany(_SQLITE_HOURLY, [(d, m, adapt(hr), *agg) for (d, m, hr), agg in hourly.items()])
    return inserted


def days_spanned(rows: list[Row]) -> set[date]:
    """The UTC days from the earliest to the latest reading (the partitions a batch needs)."""
    if not rows:
        return set()
    stamps = {r[2] for r in rows}
    first, last = min(stamps).astimezone(UTC).date(), max(stamps).astimezone(UTC).date()
    return {first + timedelta(days=i) for i in range((last - first).days + 1)}


def _unique(rows: list[Row]) -> list[Row]:
    """The rows with the first of each (device, metric, ts) key (a message may repeat a sample)."""
    seen: dict[tuple, Row] = {}
    for row in rows:
        key = (row[0], row[1], row[2])
        if key not in seen:
            seen[key] = row
    return rows if len(seen) == len(rows) else list(seen.values())


def _copy_text(rows: list[Row]) -> str:
    """COPY text for (device_id, metric, ts, value) rows; timestamps formatted once per sample.

    Metric keys come from metrics.METRICS (no tab, newline or backslash); values are finite."""
    stamps: dict[datetime, str] = {}
    out = []
    append = out.append
    for device_id, metric, ts, value in rows:
        stamp = stamps.get(ts)
        if stamp is None:
            stamp = stamps[ts] = ts.isoformat()
        append(f"{device_id}\t{metric}\t{stamp}\t{float(value)!r}\n")
    return "".join(out)


def _write_pg(rows: list[Row]) -> list[Row]:
    rows = _unique(rows)
    ensure_partitions(days_spanned(rows))
    with connection.cursor() as cur:
        cur.execute(_PG_TEMP)
        with cur.cursor.copy("COPY monitoring_reading_in (device_id, metric, ts, value) FROM STDIN") as cp:
            cp.write(_copy_text(rows))
        cur.execute(_PG_MERGE)
        old = cur.fetchall()
    if not old:
        return rows
    known = {(d, m, t) for d, m, t in old}
    return [r for r in rows if (r[0], r[1], r[2]) not in known]


def copy_rows(rows: list[Row]) -> int:
    """Benchmark ceiling: COPY rows straight into the reading table (no dedupe, no aggregates)."""
    with connection.cursor() as cur:
        with cur.cursor.copy("COPY monitoring_reading (device_id, metric, ts, value) FROM STDIN") as cp:
            for row in rows:
                cp.write_row(row)
    return len(rows)
