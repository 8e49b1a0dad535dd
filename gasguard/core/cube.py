"""Count cubes kept exact by the database (PostgreSQL): the shared part.

A cube is two tables with the same cell columns and measures: the compacted counts (one row per
cell, unique) and an append-only table of deltas written by statement-level triggers in the
writer's own transaction. `compact()` folds the deltas into the counts in one transaction;
`sum()` reads both in one statement, so a reader always sees a consistent state. The app that
owns the source table writes the triggers (hazards/rollup.py, registry/rollup.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction

from gasguard.core.listing import next_code


def enabled() -> bool:
    """Whether cubes are maintained here (PostgreSQL, GASGUARD_HAZARD_ROLLUP on)."""
    return settings.GASGUARD_HAZARD_ROLLUP and connection.vendor == "postgresql"


@dataclass(frozen=True)
class Cube:
    count_table: str
    delta_table: str
    cells: tuple[str, ...]
    measures: tuple[str, ...]
    lock_key: int

    def insert_deltas_sql(self, cells_select: str) -> str:
        """INSERT of a signed cells SELECT (columns: cells, then measures) into the delta table."""
        cols = ", ".join(self.cells)
        sums = ", ".join(f"sum({m})" for m in self.measures)
        nonzero = " OR ".join(f"sum({m}) <> 0" for m in self.measures)
        return (
            f"INSERT INTO {self.delta_table} ({cols}, {', '.join(self.measures)}) "
            f"SELECT {cols}, {sums} FROM ({cells_select}) c GROUP BY {cols} HAVING {nonzero};"
        )

    def fill_sql(self, cells_select: str) -> str:
        """INSERT of a cells SELECT over the whole source table into the (empty) count table."""
        cols = ", ".join(self.cells)
        sums = ", ".join(f"sum({m})" for m in self.measures)
        return (
            f"INSERT INTO {self.count_table} ({cols}, {', '.join(self.measures)}) "
            f"SELECT {cols}, {sums} FROM ({cells_select}) c GROUP BY {cols}"
        )

    def compact(self) -> int:
        """Fold the pending deltas into the counts; returns the number of cells touched."""
        if not enabled():
            return 0
        cols = ", ".join(self.cells)
        ms = ", ".join(self.measures)
        sums = ", ".join(f"sum({m}) AS {m}" for m in self.measures)
        update = ", ".join(f"{m} = {self.count_table}.{m} + EXCLUDED.{m}" for m in self.measures)
        zero = " AND ".join(f"{m} = 0" for m in self.measures)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [self.lock_key])
            cursor.execute(
                f"""WITH moved AS (DELETE FROM {self.delta_table} RETURNING {cols}, {ms}),
                         folded AS (SELECT {cols}, {sums} FROM moved GROUP BY {cols})
                    INSERT INTO {self.count_table} ({cols}, {ms}) SELECT {cols}, {ms} FROM folded
                    ON CONFLICT ({cols}) DO UPDATE SET {update}"""
            )
            folded = cursor.rowcount
            cursor.execute(f"DELETE FROM {self.count_table} WHERE {zero}")
        return folded

    def rebuild(self, *, source_table: str, install, cells_select: str) -> int:
        """Recompute the whole cube from its source table under a SHARE lock (no write slips by)."""
        if not enabled():
            return 0
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [self.lock_key])
            cursor.execute(f"LOCK TABLE {source_table} IN SHARE MODE")
            install()
            cursor.execute(f"DELETE FROM {self.delta_table}")
            cursor.execute(f"DELETE FROM {self.count_table}")
            cursor.execute(self.fill_sql(cells_select))
            return cursor.rowcount

    def check(self, cells_select: str) -> list[dict]:
        """Cells where the cube disagrees with a fresh count of its source (empty when all is well)."""
        if not enabled():
            return []
        cols = ", ".join(self.cells)
        ms = ", ".join(self.measures)
        sums = ", ".join(f"sum({m}) AS {m}" for m in self.measures)
        differ = " OR ".join(f"coalesce(live.{m}, 0) <> coalesce(cube.{m}, 0)" for m in self.measures)
        pairs = ", ".join(f"coalesce(live.{m}, 0), coalesce(cube.{m}, 0)" for m in self.measures)
        nonzero = " OR ".join(f"sum({m}) <> 0" for m in self.measures)
        sql = f"""
            WITH live AS (SELECT {cols}, {sums} FROM ({cells_select}) c GROUP BY {cols}),
                 cube AS (SELECT {cols}, {sums} FROM (SELECT {cols}, {ms} FROM {self.count_table}
                                                      UNION ALL SELECT {cols}, {ms} FROM {self.delta_table}) u
                          GROUP BY {cols} HAVING {nonzero})
            SELECT {cols}, {pairs} FROM live FULL JOIN cube USING ({cols}) WHERE {differ} LIMIT 100"""
        with connection.cursor() as cursor:
            cursor.execute(sql)
            k = len(self.cells)
            out = []
            for row in cursor.fetchall():
                cell = dict(zip(self.cells, row[:k], strict=True))
                for i, m in enumerate(self.measures):
                    cell[m] = {"source": row[k + 2 * i], "cube": row[k + 2 * i + 1]}
                out.append(cell)
            return out

    def sum(
        self,
        *,
        region_prefix: str,
        group: tuple[str, ...] = (),
        where: str = "",
        params: list | None = None,
        child_length: int | None = None,
    ) -> list[dict]:
        """Sums of the measures of the cells under `region_prefix` matching `where`, grouped by
        `group` (cell columns, or 'child' = the first `child_length` digits of the region code)."""
        select, group_by = [], []
        for g in group:
            if g == "child":
                select.append(f"left(region_code, {int(child_length)}) AS child")
                group_by.append("child")
            else:
                if g not in self.cells:
                    raise ValueError(f"unknown cube column {g}")
                select.append(g)
                group_by.append(g)
        cols = ", ".join(self.cells)
        ms = ", ".join(self.measures)
        sums = [f"coalesce(sum({m}), 0)::bigint AS {m}" for m in self.measures]
        region, region_params = _region_condition(region_prefix)
        sql = (
            f"SELECT {', '.join([*select, *sums])} FROM "
            f"(SELECT {cols}, {ms} FROM {self.count_table} UNION ALL SELECT {cols}, {ms} FROM {self.delta_table}) u "
            f"WHERE {region} {('AND ' + where) if where else ''}"
        )
        if group_by:
            sql += f" GROUP BY {', '.join(group_by)}"
        with connection.cursor() as cursor:
            cursor.execute(sql, [*region_params, *(params or [])])
            names = [c.name for c in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _region_condition(prefix: str) -> tuple[str, list]:
    """The cells under a region-code prefix, as the index-friendly range of core.listing."""
    upper = next_code(prefix) if prefix else None
    if not prefix:
        return "true", []
    if upper is None:
        return "left(region_code, %s) = %s", [len(prefix), prefix]
    return "region_code >= %s AND region_code < %s", [prefix, upper]


def statement_triggers(*, table: str, name: str, insert_deltas, columns: str = "*") -> list[str]:
    """CREATE OR REPLACE functions + triggers on `table` for INSERT, UPDATE and DELETE.

    `insert_deltas(rows)` returns the SQL inserting the deltas of `rows`, a relation with the
    source columns and `s` = +1 (new) / −1 (old)."""
    statements = []
    for op, transition, rows in (
        ("insert", "NEW TABLE AS new_rows", f"(SELECT {columns}, 1 AS s FROM new_rows)"),
        ("delete", "OLD TABLE AS old_rows", f"(SELECT {columns}, -1 AS s FROM old_rows)"),
        (
            "update",
            "OLD TABLE AS old_rows NEW TABLE AS new_rows",
            f"(SELECT {columns}, 1 AS s FROM new_rows UNION ALL SELECT {columns}, -1 AS s FROM old_rows)",
        ),
    ):
        statements.append(
            f"""CREATE OR REPLACE FUNCTION {name}_{op}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                {insert_deltas(rows)}
                RETURN NULL;
            END $$"""
        )
        statements.append(f"DROP TRIGGER IF EXISTS {name}_{op} ON {table}")
        statements.append(
            f"CREATE TRIGGER {name}_{op} AFTER {op.upper()} ON {table} "
            f"REFERENCING {transition} FOR EACH STATEMENT EXECUTE FUNCTION {name}_{op}()"
        )
    return statements


def drop_triggers(*, table: str, name: str) -> list[str]:
    out = []
    for op in ("insert", "delete", "update"):
        out.append(f"DROP TRIGGER IF EXISTS {name}_{op} ON {table}")
        out.append(f"DROP FUNCTION IF EXISTS {name}_{op}()")
    return out


@dataclass(frozen=True)
class TriggeredCube:
    """A cube fed by statement triggers on `table`: `cells(rows)` turns a signed relation of the
    table's `columns` (plus `s` = ±1) into the cube's cells and measures."""

    cube: Cube
    table: str
    name: str
    columns: str
    cells: object  # Callable[[str], str]

    def whole_table(self) -> str:
        return self.cells(f"(SELECT {self.columns}, 1 AS s FROM {self.table})")

    def trigger_sql(self) -> list[str]:
        return statement_triggers(
            table=self.table,
            name=self.name,
            columns=self.columns,
            insert_deltas=lambda rows: self.cube.insert_deltas_sql(self.cells(rows)),
        )

    def drop_sql(self) -> list[str]:
        return drop_triggers(table=self.table, name=self.name)

    def install(self, schema_editor=None) -> None:
        """Create (or replace) the triggers (from a migration, pass its schema_editor)."""
        execute = schema_editor.execute if schema_editor is not None else _execute
        for statement in self.trigger_sql():
            execute(statement)

    def fill_sql(self) -> str:
        return self.cube.fill_sql(self.whole_table())

    def rebuild(self) -> int:
        return self.cube.rebuild(
            source_table=self.table, install=self.install, cells_select=self.whole_table()
        )

    def compact(self) -> int:
        return self.cube.compact()

    def check(self) -> list[dict]:
        return self.cube.check(self.whole_table())


def _execute(sql: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql)
