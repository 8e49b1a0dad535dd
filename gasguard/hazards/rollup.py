"""The ledger's count cube: exact counts of hazards, maintained by the database (PostgreSQL).

A city's ledger totals and a province's dashboard are sums over a million hazards. Instead of
scanning them on every request, statement-level triggers on `hazards_hazard` append the change
of every INSERT, UPDATE and DELETE (including COPY and bulk updates) to `hazards_hazardcountdelta`
in the writer's own transaction, so the counts can never disagree with the ledger. A periodic
task (`hazards.rollup_compact`, also `gasguard hazard_rollup`) folds the deltas into
`hazards_hazardcount`; readers sum both tables in one statement, so they see a consistent state
whether or not the compaction has run. Writers only ever INSERT, so they never wait on each other.
The shared machinery is gasguard/core/cube.py.

Cells (one row per combination that occurs):
- dim '' (totals) per street (first 9 digits of the region code) and one dim per breakdown
  (category, lead_department_kind, lead_department_id, source, target_type) per county (first 6
  digits), × status × severity × is_supervised × reappeared (× 督办 level, totals only);
- dim 'found_day' / 'closed_day' per county × local date, for the 动态清零 trend;
- dim 'due_week' per county × the Monday of the deadline's week × status × severity × 挂牌督办 ×
  改后反弹, open hazards only: overdue = every open hazard due before this week's Monday (cells)
  plus those due from Monday up to yesterday (a few days of deadlines, from the partial index).

Overdue moves with today's date, so it is never stored: it is read from the 'due_week' cells plus
this week's few days from the partial index `hazards_hazard_overdue_cover_idx`; breakdowns that
have no 'due_week' cells count overdue as open − not yet due from the same index.

SQLite has no statement-level triggers: there `enabled()` is False and every figure is computed
from the ledger directly, which is fast at the sizes SQLite is meant for.
"""

from __future__ import annotations

from django.conf import settings

from gasguard.core import cube as core_cube
from gasguard.core.cube import enabled  # noqa: F401 - the switch, re-exported for callers
from gasguard.hazards.models import HazardCount, HazardCountDelta

BREAKDOWNS = ("category", "lead_department_kind", "lead_department_id", "source", "target_type")
CELL = (
    "region_code",
    "dim",
    "value",
    "status",
    "severity",
    "is_supervised",
    "reappeared",
    "escalation_level",
)
# Region granularity of the cells: totals per street (街道), breakdowns and days per county (区县).
# Finer regions (community, grid) are answered from the ledger itself; they are small.
TOTALS_DIGITS = 9
BREAKDOWN_DIGITS = 6
COLUMNS = (
    "region_code, category, lead_department_kind, lead_department_id, source, target_type, status, "
    "severity, is_supervised, reappeared_from_id, escalation_level, found_at, closed_at, deadline"
)
CUBE = core_cube.Cube(
    count_table=HazardCount._meta.db_table,
    delta_table=HazardCountDelta._meta.db_table,
    cells=CELL,
    measures=("n",),
    lock_key=7_302_023,
)


def time_zone() -> str:
    """The zone whose calendar days the trend counts (settings.TIME_ZONE, quoted safely)."""
    return settings.TIME_ZONE.replace("'", "")


def cells_sql(rows: str, tz: str | None = None) -> str:
    """SELECT of the signed cells of `rows` (a relation with the hazard columns and `s` = ±1)."""
    tz = tz or time_zone()
    cells = [f"('', '', left(h.region_code, {TOTALS_DIGITS}), h.escalation_level)"]
    for d in BREAKDOWNS:
        expr = f"coalesce(h.{d}::text, '')" if d.endswith("_id") else f"h.{d}"
        cells.append(f"('{d}', {expr}, left(h.region_code, {BREAKDOWN_DIGITS}), 0)")
    values = ", ".join(cells)
    day = "to_char(h.{col} AT TIME ZONE '{tz}', 'YYYY-MM-DD')"
    return f"""
        SELECT d.region_code, d.dim, d.value, h.status, h.severity, h.is_supervised,
               h.reappeared_from_id IS NOT NULL AS reappeared, d.escalation_level::smallint, h.s AS n
          FROM {rows} h CROSS JOIN LATERAL (VALUES {values}) AS d(dim, value, region_code, escalation_level)
        UNION ALL
        SELECT left(h.region_code, {BREAKDOWN_DIGITS}), 'found_day', {day.format(col="found_at", tz=tz)},
               '', '', false, false, 0, h.s
          FROM {rows} h
        UNION ALL
        SELECT left(h.region_code, {BREAKDOWN_DIGITS}), 'closed_day', {day.format(col="closed_at", tz=tz)},
               '', '', false, false, 0, h.s
          FROM {rows} h WHERE h.closed_at IS NOT NULL
        UNION ALL
        SELECT left(h.region_code, {BREAKDOWN_DIGITS}), 'due_week', to_char(date_trunc('week', h.deadline), 'YYYY-MM-DD'),
               h.status, h.severity, h.is_supervised, h.reappeared_from_id IS NOT NULL, 0, h.s
          FROM {rows} h WHERE h.status <> 'closed' AND h.deadline IS NOT NULL"""


SOURCE = core_cube.TriggeredCube(
    cube=CUBE, table="hazards_hazard", name="hazards_count", columns=COLUMNS, cells=cells_sql
)
# The migration, the `hazard_rollup` command and the periodic task use these.
install = SOURCE.install
drop_sql = SOURCE.drop_sql
fill_sql = SOURCE.fill_sql
rebuild = SOURCE.rebuild  # recompute from the ledger (after restoring a dump, or if check fails)
compact = SOURCE.compact  # fold the pending deltas into the counts
check = SOURCE.check  # cells where the cube disagrees with the ledger (empty when all is well)


def cube_sum(
    *,
    region_prefix: str,
    dims: tuple[str, ...],
    group: tuple[str, ...] = (),
    where: str = "",
    params: list | None = None,
    child_length: int | None = None,
) -> list[dict]:
    """Sums of the cells in `dims` under `region_prefix`, grouped by `group` (see Cube.sum)."""
    return CUBE.sum(
        region_prefix=region_prefix,
        group=group,
        where="dim = ANY(%s)" + (f" AND {where}" if where else ""),
        params=[list(dims), *(params or [])],
        child_length=child_length,
    )
