"""Abstract base models shared by every app; core owns no domain tables."""

from django.db import models


class BaseModel(models.Model):
    """Created/updated timestamps on every domain row."""

    created_at = models.DateTimeField("创建时间", auto_now_add=True, db_index=False)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        abstract = True


class RegionScopedModel(BaseModel):
    """A row that lives in one administrative region; `region_code` makes scoping a prefix match.

    The code is copied from the region (not joined) so a user's scope is one indexed
    `LIKE 'code%'` on the row's own table, whatever the table's size.
    """

    region_code = models.CharField("行政区划代码", max_length=15, db_index=True)

    class Meta:
        abstract = True
