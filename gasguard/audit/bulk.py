"""Fast bulk insert for large batches: PostgreSQL COPY, else bulk_create (used by imports and
by `audit_record_many` for big batches). Objects get no primary keys back from COPY."""

from django.db import connection

COPY_THRESHOLD = 500


def copy_insert(model, objs: list, *, batch_size: int = 2000) -> bool:
    """Insert `objs`; returns True when COPY was used (then the objects have no pk set)."""
    if connection.vendor != "postgresql" or len(objs) < COPY_THRESHOLD:
        model.objects.bulk_create(objs, batch_size=batch_size)
        return False
    from django.db import models

    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    # Plain values go to COPY as they are; only fields with their own conversion (JSON, decimals,
    # auto timestamps) take Django's preparation path, which is most of the per-row cost.
    plain = (models.CharField, models.TextField, models.IntegerField, models.BooleanField, models.ForeignKey)
    getters = []
    for f in fields:
        auto = getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        if isinstance(f, plain) or (isinstance(f, models.DateField) and not auto):
            getters.append((True, f.attname, f))
        else:
            getters.append((False, f.attname, f))
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN") as copy:
            for obj in objs:
                copy.write_row(
                    [
                        getattr(obj, name)
                        if simple
                        else f.get_db_prep_save(f.pre_save(obj, True), connection)
                        for simple, name, f in getters
                    ]
                )
    return True
