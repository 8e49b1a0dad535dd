"""Data scope (数据权限): what a user may see, applied in one place by every selector.

A department or task-force user sees its region and every region below it: the rows whose
`region_code` starts with the region's code. An enterprise user sees only rows of its own
enterprise. Superusers see everything. Every selector calls `Scope.apply`.
"""

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet


@dataclass(frozen=True)
class Scope:
    """The union of the regions and enterprises a user may see."""

    region_prefixes: tuple[str, ...] = ()
    enterprise_ids: tuple[int, ...] = ()
    is_global: bool = False
    roles: frozenset[str] = field(default_factory=frozenset)

    @property
    def is_empty(self) -> bool:
        return not (self.is_global or self.region_prefixes or self.enterprise_ids)

    def q(self, *, region_field: str | None = "region_code", enterprise_field: str | None = None) -> Q:
        """A filter for rows of a model; rows match if any of the user's grants matches."""
        if self.is_global:
            return Q()
        condition = Q(pk__in=[])
        if region_field:
            for prefix in self.region_prefixes:
                condition |= Q(**{f"{region_field}__startswith": prefix})
        if enterprise_field and self.enterprise_ids:
            condition |= Q(**{f"{enterprise_field}__in": self.enterprise_ids})
        return condition

    def apply(
        self,
        queryset: QuerySet,
        *,
        region_field: str | None = "region_code",
        enterprise_field: str | None = None,
    ) -> QuerySet:
        if self.is_global:
            return queryset
        return queryset.filter(self.q(region_field=region_field, enterprise_field=enterprise_field))

    def covers_region(self, region_code: str) -> bool:
        """Whether a region (by code) lies inside this scope's regions."""
        if self.is_global:
            return True
        return any(region_code.startswith(prefix) for prefix in self.region_prefixes)

    def has_role(self, *roles: str) -> bool:
        return self.is_global or bool(self.roles.intersection(roles))


EMPTY_SCOPE = Scope()
