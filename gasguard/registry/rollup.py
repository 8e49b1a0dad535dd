"""The premises count cube (PostgreSQL): registered and inspected premises per street, exact.

The dashboard's 全覆盖 figures (registered premises, premises inspected, sealed inspections) for
a province are sums over hundreds of thousands of premises and inspections. Statement-level
triggers on `registry_premises` append every change to `registry_premisescountdelta`; whether a
premises has been inspected is itself kept on the premises row (`last_inspected_at`,
`inspection_count`) by triggers on sealed inspections (inspections migration 0002). See
gasguard/core/cube.py for compaction and reads, gasguard/hazards/rollup.py for the ledger's cube.
"""

from __future__ import annotations

from gasguard.core import cube as core_cube
from gasguard.registry.models import PremisesCount, PremisesCountDelta

DIGITS = 9  # cells per street; finer regions are counted from the registry itself
COLUMNS = "region_code, status, last_inspected_at, inspection_count"
CUBE = core_cube.Cube(
    count_table=PremisesCount._meta.db_table,
    delta_table=PremisesCountDelta._meta.db_table,
    cells=("region_code", "status", "inspected"),
    measures=("n", "inspections"),
    lock_key=7_302_024,
)


def cells_sql(rows: str) -> str:
    return f"""SELECT left(p.region_code, {DIGITS}) AS region_code, p.status,
                      p.last_inspected_at IS NOT NULL AS inspected, p.s AS n, p.s * p.inspection_count AS inspections
                 FROM {rows} p"""


SOURCE = core_cube.TriggeredCube(
    cube=CUBE, table="registry_premises", name="registry_premises_count", columns=COLUMNS, cells=cells_sql
)
install = SOURCE.install
drop_sql = SOURCE.drop_sql
fill_sql = SOURCE.fill_sql
rebuild = SOURCE.rebuild
compact = SOURCE.compact
check = SOURCE.check
