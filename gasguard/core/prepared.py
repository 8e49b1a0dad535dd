"""Server-side prepared statements on PostgreSQL for the few hottest queries.

Django's PostgreSQL cursors bind parameters on the client (psycopg's ClientCursor), so every
execution re-merges the parameters into the SQL text and PostgreSQL parses and plans it again.
For a statement run thousands of times a second (the pre-fill gate) that is most of its cost.
`fetchone_prepared` runs it on the same connection and transaction as the ORM, through a
server-binding cursor with `prepare=True`: psycopg prepares it once per connection and then
sends only the parameters.

It keeps what Django's cursor wrapper gives: database errors arrive as django.db exceptions
(IntegrityError for a unique violation), a broken transaction is refused, and the statement is
logged where Django logs queries (DEBUG, assertNumQueries, django_assert_num_queries).

Not for use behind a transaction-mode connection pooler (PgBouncer before 1.21 loses prepared
statements between transactions); docs/deployment.md says so.
"""

import time

import psycopg
from django.db import DEFAULT_DB_ALIAS, connections

ONLY_WHEN_ASKED = 2**31 - 1


def fetchone_prepared(sql: str, params: dict | list | tuple):
    """Execute `sql` (PostgreSQL, psycopg placeholders; a SELECT or a statement with RETURNING)
    as a prepared statement; its first row or None."""
    db = connections[DEFAULT_DB_ALIAS]
    db.validate_no_broken_transaction()
    started = time.monotonic() if db.queries_logged else None
    with db.wrap_database_errors:
        db.ensure_connection()
        raw = db.connection
        if raw.prepare_threshold is None:
            # Django turns preparation off for the whole connection (for poolers). Its own
            # cursors bind on the client and never prepare whatever this says; only an explicit
            # prepare=True here does.
            raw.prepare_threshold = ONLY_WHEN_ASKED
        with psycopg.Cursor(raw) as cursor:
            cursor.execute(sql, params, prepare=True)
            row = cursor.fetchone()
    if started is not None:
        db.queries_log.append({"sql": sql, "time": f"{time.monotonic() - started:.3f}"})
    return row
