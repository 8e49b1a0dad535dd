"""Reads of product quality; the blacklist sets are cached briefly for the pre-fill gate."""

from django.conf import settings
from django.core.cache import cache

from gasguard.products.models import BlacklistEntry, ProductFinding, ProductModel, Recall, SpotCheck

_BLACKLIST_KEY = "gg:products:blacklist:v1"


def blacklist_sets() -> tuple[frozenset[int], frozenset[int]]:
    """(blacklisted product model ids, blacklisted maker enterprise ids), active entries only."""
    hit = cache.get(_BLACKLIST_KEY)
    if hit is None:
        rows = BlacklistEntry.objects.filter(is_active=True).values_list("product_model_id", "maker_id")
        models_ = frozenset(m for m, _ in rows if m)
        makers = frozenset(k for _, k in rows if k)
        hit = (models_, makers)
        cache.set(_BLACKLIST_KEY, hit, settings.GASGUARD_GATE_CACHE_SECONDS)
    return hit


def blacklist_cache_clear() -> None:
    cache.delete(_BLACKLIST_KEY)


def product_model_list(*, user, kind: str = "", q: str = ""):
    """Product models (not regional: every signed-in government or enterprise user may read)."""
    qs = ProductModel.objects.select_related("maker")
    if kind:
        qs = qs.filter(kind=kind)
    if q:
        qs = qs.filter(model__icontains=q) | qs.filter(maker_name__icontains=q)
    return qs.order_by("kind", "maker_name", "model")


def blacklist_list(*, user, active_only: bool = True):
    qs = BlacklistEntry.objects.select_related("product_model", "maker")
    if active_only:
        qs = qs.filter(is_active=True)
    return qs


def spot_check_list(*, user, product_model=None):
    qs = SpotCheck.objects.select_related("product_model", "department", "seller")
    if product_model is not None:
        qs = qs.filter(product_model=product_model)
    return qs


def recall_list(*, user):
    return Recall.objects.select_related("product_model")


def finding_list(*, user):
    from gasguard.accounts.selectors import user_scope

    scope = user_scope(user=user)
    qs = ProductFinding.objects.select_related("hazard", "product_model", "seller")
    return scope.apply(qs)
