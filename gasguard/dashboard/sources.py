"""Where the dashboard finds the models of other apps (inspections, tips, enforcement, 回头看).

Those apps are built in parallel; their models are looked up by name and their field names
are probed, so a missing app or field makes a figure read "—" instead of breaking the page.
"""

from dataclasses import dataclass
from functools import cache

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist


def _model(app_label: str, name: str):
    try:
        return apps.get_model(app_label, name)
    except LookupError:
        return None


def _field(model, *candidates: str) -> str | None:
    for name in candidates:
        try:
            model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        return name
    return None


def _choice_values(model, field: str | None) -> set[str]:
    if not model or not field:
        return set()
    return {str(v) for v, _ in (model._meta.get_field(field).choices or [])}


@dataclass(frozen=True)
class InspectionSource:
    """检查记录: sealed inspections count toward coverage (全覆盖)."""

    model: type
    premises_field: str | None
    enterprise_field: str | None
    date_field: str
    sealed_filter: dict


@dataclass(frozen=True)
class TipSource:
    """群众举报: received / verified (查实) / rewarded."""

    model: type
    date_field: str
    verified_filter: dict | None
    rewarded_filter: dict | None
    reward_amount_field: str | None


@dataclass(frozen=True)
class EnforcementSource:
    """执法记录: count and fines."""

    model: type
    date_field: str | None
    fine_field: str | None
    region_field: str
    date_is_day: bool = False


@cache
def inspection_source() -> InspectionSource | None:
    model = _model("inspections", "Inspection")
    if model is None or not _field(model, "region_code"):
        return None
    date_field = _field(model, "submitted_at", "sealed_at", "inspected_at", "created_at")
    status_field = _field(model, "status")
    sealed = {}
    if status_field and "sealed" in _choice_values(model, status_field):
        sealed = {status_field: "sealed"}
    return InspectionSource(
        model=model,
        premises_field=_field(model, "premises"),
        enterprise_field=_field(model, "enterprise"),
        date_field=date_field,
        sealed_filter=sealed,
    )


@cache
def tip_source() -> TipSource | None:
    model = _model("tips", "Tip")
    if model is None or not _field(model, "region_code"):
        return None
    outcome_field = _field(model, "outcome", "verification_outcome", "verification_result", "result")
    verified = None
    if outcome_field:
        values = _choice_values(model, outcome_field)
        for candidate in ("substantiated", "confirmed", "verified", "true", "founded"):
            if candidate in values:
                verified = {outcome_field: candidate}
                break
    rewarded = None
    reward_status = _field(model, "reward_status")
    if reward_status and "paid" in _choice_values(model, reward_status):
        rewarded = {f"{reward_status}__in": ["approved", "paid"]}
    reward_model = _model("tips", "Reward")
    reward_amount = _field(model, "reward_amount")
    if rewarded is None and reward_model is not None:
        rel = _field(reward_model, "tip")
        if rel:
            related = reward_model._meta.get_field(rel).related_query_name()
            status_f = _field(reward_model, "status")
            if status_f and "paid" in _choice_values(reward_model, status_f):
                rewarded = {f"{related}__{status_f}__in": ["approved", "paid"]}
            else:
                rewarded = {f"{related}__isnull": False}
            amount = _field(reward_model, "amount", "approved_amount", "paid_amount")
            if amount and reward_amount is None:
                reward_amount = f"{related}__{amount}"
    return TipSource(
        model=model,
        date_field=_field(model, "created_at", "received_at") or "created_at",
        verified_filter=verified,
        rewarded_filter=rewarded,
        reward_amount_field=reward_amount,
    )


@cache
def enforcement_source() -> EnforcementSource | None:
    model = _model("hazards", "EnforcementAction")
    if model is None:
        return None
    region_field = "region_code" if _field(model, "region_code") else None
    if region_field is None and _field(model, "hazard"):
        region_field = "hazard__region_code"
    if region_field is None:
        return None
    date_field = _field(model, "decided_on", "decided_at", "acted_at", "occurred_at", "created_at")
    return EnforcementSource(
        model=model,
        date_field=date_field,
        date_is_day=bool(date_field) and model._meta.get_field(date_field).get_internal_type() == "DateField",
        fine_field=_field(model, "fine_amount", "fine", "amount"),
        region_field=region_field,
    )


@cache
def revisit_model():
    """The ledger's 回头看 sample (hazards.RevisitSample), if that app provides it."""
    return _model("hazards", "RevisitSample")
