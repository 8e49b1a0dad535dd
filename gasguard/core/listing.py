"""List helpers for big tables: an index-friendly region prefix range and a capped count.

On a million rows an exact `COUNT(*)` over a whole city costs more than the page itself, and
nobody pages through 20,000 pages. `CappedPaginator` counts at most `cap` rows
(`SELECT COUNT(*) FROM (… LIMIT cap+1)`) and past the cap still pages by fetching one row
more than the page size to know whether a next page exists.
"""

from math import ceil

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.utils.functional import cached_property
from rest_framework.response import Response

from gasguard.core.api import StandardPagination

DEFAULT_COUNT_CAP = 10_000


def next_code(prefix: str) -> str | None:
    """The smallest digit string of the same length after `prefix` ('440305' → '440306')."""
    if not prefix.isdigit() or set(prefix) == {"9"}:
        return None
    return str(int(prefix) + 1).zfill(len(prefix))


def prefix_range(field: str, prefix: str) -> dict:
    """`field` starts with the digit string `prefix`, written as a range a btree index can use
    whatever the database collation (a LIKE 'x%' needs a C collation or pattern_ops)."""
    upper = next_code(prefix)
    if upper is None:
        return {f"{field}__startswith": prefix}
    return {f"{field}__gte": prefix, f"{field}__lt": upper}


class CappedPage(Page):
    """A page that knows whether a next page exists even past the counting cap."""

    more = False

    def has_next(self) -> bool:
        if self.paginator.capped:
            return self.more
        return super().has_next()


class CappedPaginator(Paginator):
    """A Paginator whose count stops at `cap`; `capped` tells whether there are more rows."""

    cap = DEFAULT_COUNT_CAP

    def __init__(self, object_list, per_page, orphans=0, allow_empty_first_page=True, cap=None):
        super().__init__(object_list, per_page, orphans, allow_empty_first_page)
        if cap is not None:
            self.cap = cap

    @cached_property
    def _raw_count(self) -> int:
        rows = self.object_list
        if hasattr(rows, "order_by"):
            rows = rows.order_by()  # ordering only costs a sort inside COUNT(*)
        return rows[: self.cap + 1].count()

    @property
    def capped(self) -> bool:
        return self._raw_count > self.cap

    @cached_property
    def count(self) -> int:
        return min(self._raw_count, self.cap)

    @property
    def count_display(self) -> str:
        return f"{self.cap:,}+" if self.capped else f"{self.count:,}"

    @cached_property
    def num_pages(self) -> int:
        if self.count == 0 and not self.allow_empty_first_page:
            return 0
        return max(1, ceil(self.count / self.per_page))

    def validate_number(self, number):
        try:
            number = int(number)
        except (TypeError, ValueError) as exc:
            raise PageNotAnInteger("页码须为整数") from exc
        if number < 1:
            raise EmptyPage("页码须大于0")
        if self.capped:
            return number
        return super().validate_number(number)

    def _rows(self, bottom: int, top: int) -> list:
        """Rows bottom..top. With joins for display (select_related), the page's ids are found on
        the main table alone first and the joined rows fetched by id: the planner can misjudge a
        filtered join and loop over every matching row, while ids + ORDER BY + LIMIT stays cheap."""
        rows = self.object_list
        if not hasattr(rows, "values_list") or not rows.query.select_related or rows.query.is_sliced:
            return list(rows[bottom:top])
        ids = list(rows.values_list("pk", flat=True)[bottom:top])
        if not ids:
            return []
        by_id = {obj.pk: obj for obj in rows.order_by().filter(pk__in=ids)}
        return [by_id[pk] for pk in ids if pk in by_id]

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        if not self.capped:
            return self._get_page(self._rows(bottom, bottom + self.per_page), number, self)
        rows = self._rows(bottom, bottom + self.per_page + 1)
        if not rows and number > 1:
            raise EmptyPage("该页没有数据")
        page = CappedPage(rows[: self.per_page], number, self)
        page.more = len(rows) > self.per_page
        return page

    def _get_page(self, *args, **kwargs):
        return CappedPage(*args, **kwargs)


def paginate(request, queryset, *, per_page: int = 50, cap: int = DEFAULT_COUNT_CAP) -> CappedPage:
    """The requested page of a list view; a bad or too-high page number gives the last/first page."""
    paginator = CappedPaginator(queryset, per_page, cap=cap)
    number = request.GET.get("page") or 1
    try:
        return paginator.page(number)
    except PageNotAnInteger:
        return paginator.page(1)
    except EmptyPage:
        return paginator.page(1 if paginator.capped else paginator.num_pages)


class CappedCountPagination(StandardPagination):
    """API pagination with a capped count: `count` stops at 10,000 and `count_capped` says so."""

    django_paginator_class = CappedPaginator

    def get_paginated_response(self, data):
        paginator = self.page.paginator
        return Response(
            {
                "count": paginator.count,
                "count_capped": paginator.capped,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        base = super().get_paginated_response_schema(schema)
        base["properties"]["count_capped"] = {
            "type": "boolean",
            "description": f"为 true 时实际条数多于 count（计数上限 {DEFAULT_COUNT_CAP}）",
        }
        return base
