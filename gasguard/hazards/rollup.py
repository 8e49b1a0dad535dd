"""The ledger's count cube: exact counts of hazards, maintained by the database (PostgreSQL).

A city's ledger totals and a province's dashboard are sums over a million hazards. Instead of
scanning them on every request, statement-level triggers on `hazards_hazard` append the change
of every INSERT, UPDATE and DELETE (including COPY and bulk updates) to `hazards_hazardcountdelta`
in the writer's own transaction, so the counts can never disagree with the ledger. A periodic
task (`hazards.rollup_compact`, also `gasguard hazard_rollup --compact`) folds the deltas into
`hazards_hazardcount`; readers sum both tables in one statement, so they see a consistent state
whether or not the compaction has run. Writers only ever INSERT, so they never wait on each other.

Cells (one row per combination that occurs):
- dim '' (totals) per street (first 9 digits of the region code) and one dim per breakdown
  (category, lead_department_kind, lead_department_id, source, target_type) per county (first 6
  digits), × status × severity × is_supervised × reappeared;
- dim 'found_day' / 'closed_day' per county × local date, for the 动态清零 trend.

Deadlines are not in the cube (overdue is derived from today's date and would make every cell
unique); overdue counts come from the partial index `hazards_hazard_open_deadline_idx`.

SQLite has no statement-level triggers: there `enabled()` is False and every figure is computed
from the ledger directly, which is fast at the sizes SQLite is meant for.
"""

from __future__ import annotations

from django.conf import settings
from django.db import connection, transaction

from gasguard.hazards.models import HazardCount, HazardCountDelta

BREAKDOWNS = ("category", "lead_department_kind", "lead_department_id", "source", "target_type")
CELL = ("region_code", "dim", "value", "status", "severity", "is_supervised", "reappeared")
COUNT_TABLE = HazardCount._meta.db_table
DELTA_TABLE = HazardCountDelta._meta.db_table
LOCK_KEY = 7_302_023  # advisory lock id: one compaction/rebuild at a time
# Region granularity of the cells: totals per street (街道), breakdowns and days per county (区县).
# Finer regions (community, grid) are answered from the ledger itself; they are small.
TOTALS_DIGITS = 9
BREAKDOWN_DIGITS = 6


def enabled() -> bool:
    """Whether the cube is maintained here (PostgreSQL with the triggers installed)."""
    return settings.GASGUARD_HAZARD_ROLLUP and connection.vendor == "postgresql"


def time_zone() -> str:
    """The zone whose calendar days the trend counts (settings.TIME_ZONE, quoted safely)."""
    return settings.TIME_ZONE.replace("'", "")


def cells_sql(rows: str, tz: str) -> str:
    """SELECT of the signed cells of `rows` (a relation with the hazard columns and `s` = ±1)."""
    cells = [f"('', '', left(h.region_code, {TOTALS_DIGITS}))"]
    for d in BREAKDOWNS:
        expr = f"coalesce(h.{d}::text, '')" if d.endswith("_id") else f"h.{d}"
        cells.append(f"('{d}', {expr}, left(h.region_code, {BREAKDOWN_DIGITS}))")
    values = ", ".join(cells)
    day = "to_char(h.{col} AT TIME ZONE '{tz}', 'YYYY-MM-DD')"
    return f"""
        SELECT d.region_code, d.dim, d.value, h.status, h.severity, h.is_supervised,
               h.reappeared_from_id IS NOT NULL AS reappeared, h.s
          FROM {rows} h CROSS JOIN LATERAL (VALUES {values}) AS d(dim, value, region_code)
        UNION ALL
        SELECT left(h.region_code, {BREAKDOWN_DIGITS}), 'found_day', {day.format(col="found_at", tz=tz)},
               '', '', false, false, h.s
          FROM {rows} h
        UNION ALL
        SELECT left(h.region_code, {BREAKDOWN_DIGITS}), 'closed_day', {day.format(col="closed_at", tz=tz)},
               '', '', false, false, h.s
          FROM {rows} h WHERE h.closed_at IS NOT NULL"""


COLUMNS = (
    "region_code, category, lead_department_kind, lead_department_id, source, target_type, status, "
    "severity, is_supervised, reappeared_from_id, found_at, closed_at"
)


def _insert_deltas(rows: str, tz: str) -> str:
    cols = ", ".join(CELL)
    return (
        f"INSERT INTO {DELTA_TABLE} ({cols}, n) SELECT {cols}, sum(s) FROM ({cells_sql(rows, tz)}) c "
        f"GROUP BY {cols} HAVING sum(s) <> 0;"
    )


def trigger_sql(tz: str | None = None) -> list[str]:
    """The trigger functions and triggers (idempotent: CREATE OR REPLACE / DROP IF EXISTS)."""
    tz = tz or time_zone()
    signed_new = f"(SELECT {COLUMNS}, 1 AS s FROM new_rows)"
    signed_old = f"(SELECT {COLUMNS}, -1 AS s FROM old_rows)"
    both = f"(SELECT {COLUMNS}, 1 AS s FROM new_rows UNION ALL SELECT {COLUMNS}, -1 AS s FROM old_rows)"
    statements = []
    for op, rows in (("insert", signed_new), ("delete", signed_old), ("update", both)):
        statements.append(
            f"""CREATE OR REPLACE FUNCTION hazards_count_{op}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                {_insert_deltas(rows, tz)}
                RETURN NULL;
            END $$"""
        )
        transition = {
            "insert": "NEW TABLE AS new_rows",
            "delete": "OLD TABLE AS old_rows",
            "update": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
        }[op]
        statements.append(f"DROP TRIGGER IF EXISTS hazards_count_{op} ON hazards_hazard")
        statements.append(
            f"CREATE TRIGGER hazards_count_{op} AFTER {op.upper()} ON hazards_hazard "
            f"REFERENCING {transition} FOR EACH STATEMENT EXECUTE FUNCTION hazards_count_{op}()"
        )
    return statements


def drop_sql() -> list[str]:
    out = []
    for op in ("insert", "delete", "update"):
        out.append(f"DROP TRIGGER IF EXISTS hazards_count_{op} ON hazards_hazard")
        out.append(f"DROP FUNCTION IF EXISTS hazards_count_{op}()")
    return out


def install(schema_editor=None) -> None:
    """Create the triggers and fill the cube from the ledger as it stands (migration, rebuild)."""
    execute = schema_editor.execute if schema_editor else _execute
    for statement in trigger_sql():
        execute(statement)


def _execute(sql: str, params=None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def rebuild() -> int:
    """Recompute the whole cube from the ledger (after restoring a dump, or if `check` fails).

    Takes a SHARE lock on the ledger so no write slips between the recount and the swap."""
    if not enabled():
        return 0
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
        cursor.execute("LOCK TABLE hazards_hazard IN SHARE MODE")
        install()
        cursor.execute(f"DELETE FROM {DELTA_TABLE}")
        cursor.execute(f"DELETE FROM {COUNT_TABLE}")
        cursor.execute(fill_sql())
        return cursor.rowcount


def fill_sql() -> str:
    """INSERT of the whole ledger's cells into the (empty) count table."""
    cols = ", ".join(CELL)
    signed = f"(SELECT {COLUMNS}, 1 AS s FROM hazards_hazard)"
    return (
        f"INSERT INTO {COUNT_TABLE} ({cols}, n) SELECT {cols}, sum(s) FROM "
        f"({cells_sql(signed, time_zone())}) c GROUP BY {cols}"
    )


def compact() -> int:
    """Fold the pending deltas into the counts; returns the number of delta rows folded."""
    if not enabled():
        return 0
    cols = ", ".join(CELL)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
        cursor.execute(
            f"""WITH moved AS (DELETE FROM {DELTA_TABLE} RETURNING {cols}, n),
                     folded AS (SELECT {cols}, sum(n) AS n FROM moved GROUP BY {cols})
                INSERT INTO {COUNT_TABLE} ({cols}, n) SELECT {cols}, n FROM folded
                ON CONFLICT ({cols}) DO UPDATE SET n = {COUNT_TABLE}.n + EXCLUDED.n"""
        )
        folded = cursor.rowcount
        cursor.execute(f"DELETE FROM {COUNT_TABLE} WHERE n = 0")
    return folded


def check() -> list[dict]:
    """Cells where the cube disagrees with the ledger (empty when all is well)."""
    if not enabled():
        return []
    cols = ", ".join(CELL)
    signed = f"(SELECT {COLUMNS}, 1 AS s FROM hazards_hazard)"
    sql = f"""
        WITH live AS (SELECT {cols}, sum(s) AS n FROM ({cells_sql(signed, time_zone())}) c GROUP BY {cols}),
             cube AS (SELECT {cols}, sum(n) AS n FROM (SELECT {cols}, n FROM {COUNT_TABLE}
                                                       UNION ALL SELECT {cols}, n FROM {DELTA_TABLE}) u
                      GROUP BY {cols} HAVING sum(n) <> 0)
        SELECT {cols}, coalesce(live.n, 0), coalesce(cube.n, 0)
          FROM live FULL JOIN cube USING ({cols})
         WHERE coalesce(live.n, 0) <> coalesce(cube.n, 0)
         LIMIT 100"""
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return [
            {**dict(zip(CELL, row[:7], strict=True)), "ledger": row[7], "cube": row[8]}
            for row in cursor.fetchall()
        ]


def cube_sum(
    *,
    region_prefix: str,
    dims: tuple[str, ...],
    group: tuple[str, ...] = (),
    where: str = "",
    params: list | None = None,
    child_length: int | None = None,
) -> list[dict]:
    """Sums of the cube's cells in `dims` under `region_prefix`, grouped by `group` columns
    (any of CELL, or 'child' = the first `child_length` digits of the region code)."""
    select, group_by = [], []
    for g in group:
        if g == "child":
            select.append(f"left(region_code, {int(child_length)}) AS child")
            group_by.append("child")
        else:
            assert g in CELL, g
            select.append(g)
            group_by.append(g)
    cols = ", ".join(CELL)
    sql = (
        f"SELECT {', '.join([*select, 'coalesce(sum(n), 0)::bigint AS n'])} FROM "
        f"(SELECT {cols}, n FROM {COUNT_TABLE} UNION ALL SELECT {cols}, n FROM {DELTA_TABLE}) u "
        f"WHERE dim = ANY(%s) AND region_code LIKE %s {('AND ' + where) if where else ''}"
    )
    if group_by:
        sql += f" GROUP BY {', '.join(group_by)}"
    args = [list(dims), _like_prefix(region_prefix), *(params or [])]
    with connection.cursor() as cursor:
        cursor.execute(sql, args)
        names = [c.name for c in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _like_prefix(prefix: str) -> str:
    return prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
