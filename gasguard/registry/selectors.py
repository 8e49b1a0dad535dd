"""Reads of the registry, already restricted to what the user may see (数据权限).

Department and task-force users see rows whose region_code starts with their region's code;
enterprise users see their own enterprise's rows (premises by `enterprise_id`, the operator,
not by supplier). UI lists, detail pages, exports, the map and the API all call these.
"""

from django.db.models import Prefetch, QuerySet

from gasguard.accounts.selectors import user_scope
from gasguard.core.errors import NotFound
from gasguard.core.listing import prefix_range
from gasguard.registry.models import Certificate, Enterprise, Facility, Licence, Premises, Staff

NOT_FOUND = "未找到，或不在您的数据权限范围内。"


def scoped(queryset: QuerySet, *, user, region_field: str | None = "region_code", enterprise_field=None):
    """Apply the user's scope; a single-region scope also gets an index-friendly range."""
    scope = user_scope(user=user)
    queryset = scope.apply(queryset, region_field=region_field, enterprise_field=enterprise_field)
    if (
        region_field
        and not scope.is_global
        and len(scope.region_prefixes) == 1
        and not (enterprise_field and scope.enterprise_ids)
    ):
        queryset = queryset.filter(**prefix_range(region_field, scope.region_prefixes[0]))
    return queryset


def _get(queryset: QuerySet, pk):
    try:
        return queryset.get(pk=int(pk))
    except (queryset.model.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound(NOT_FOUND) from exc


def scoped_enterprise_ids(*, user) -> tuple[int, ...]:
    """The enterprises an enterprise user belongs to (empty for government users)."""
    return user_scope(user=user).enterprise_ids


# --- enterprises ---------------------------------------------------------------------------------


def enterprise_list(*, user) -> QuerySet:
    """Enterprises in the user's regions, or the user's own enterprise."""
    qs = Enterprise.objects.select_related("region").prefetch_related("roles")
    return scoped(qs, user=user, enterprise_field="id")


def enterprise_get(*, user, pk, with_details: bool = False) -> Enterprise:
    """One enterprise (404 outside scope); `with_details` prefetches what the detail page shows."""
    qs = enterprise_list(user=user)
    if with_details:
        qs = qs.prefetch_related(
            "licences",
            Prefetch(
                "staff",
                queryset=Staff.objects.prefetch_related("certificates").order_by("post", "name"),
            ),
        )
    return _get(qs, pk)


def enterprise_choices(*, user) -> QuerySet:
    """Enterprises a user may pick in a form (operator of a premises, owner of a facility)."""
    return scoped(
        Enterprise.objects.only("id", "name", "region_code"), user=user, enterprise_field="id"
    ).order_by("name")


# --- licences, staff, certificates -------------------------------------------------------------------


def licence_list(*, user) -> QuerySet:
    """Licences of enterprises the user may see."""
    return scoped(Licence.objects.select_related("enterprise"), user=user, enterprise_field="enterprise_id")


def licence_get(*, user, pk) -> Licence:
    return _get(licence_list(user=user), pk)


def staff_list(*, user) -> QuerySet:
    """Key staff of enterprises the user may see, with their certificates."""
    qs = Staff.objects.select_related("enterprise").prefetch_related("certificates")
    return scoped(qs, user=user, enterprise_field="enterprise_id")


def staff_get(*, user, pk) -> Staff:
    return _get(staff_list(user=user), pk)


def certificate_list(*, user) -> QuerySet:
    """Certificates of staff the user may see (scoped through the staff member)."""
    qs = Certificate.objects.select_related("staff", "staff__enterprise")
    return scoped(qs, user=user, region_field="staff__region_code", enterprise_field="staff__enterprise_id")


def certificate_get(*, user, pk) -> Certificate:
    return _get(certificate_list(user=user), pk)


# --- premises and facilities ---------------------------------------------------------------------------


def premises_list(*, user) -> QuerySet:
    """Gas-using premises in the user's regions, or operated by the user's enterprise."""
    qs = Premises.objects.select_related("region", "enterprise", "supplier")
    return scoped(qs, user=user, enterprise_field="enterprise_id")


def premises_get(*, user, pk) -> Premises:
    return _get(premises_list(user=user), pk)


def premises_points(*, user, queryset: QuerySet | None = None, bbox=None, limit: int = 5000):
    """(rows, truncated) of located premises for the map, inside bbox = (w, s, e, n)."""
    qs = queryset if queryset is not None else premises_list(user=user)
    qs = qs.filter(lon__isnull=False, lat__isnull=False)
    if bbox is not None:
        west, south, east, north = bbox
        qs = qs.filter(lon__gte=west, lon__lte=east, lat__gte=south, lat__lte=north)
    rows = list(
        qs.order_by().values("id", "name", "kind", "lon", "lat", "gas_lpg", "gas_pipeline", "underground")[
            : limit + 1
        ]
    )
    return rows[:limit], len(rows) > limit


def facility_list(*, user) -> QuerySet:
    """Facilities in the user's regions, or owned by the user's enterprise."""
    qs = Facility.objects.select_related("region", "enterprise")
    return scoped(qs, user=user, enterprise_field="enterprise_id")


def facility_get(*, user, pk) -> Facility:
    return _get(facility_list(user=user), pk)
