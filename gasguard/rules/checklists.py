"""Which rules apply to a target, and turning a raw answer into a checked value.

Inspections (检查), 随瓶安检 and self-checks all build their checklists and validate answers
here, so a rule is applied the same way whichever door the answer comes through.
"""

import math

from gasguard.core.errors import ValidationFailed
from gasguard.rules.catalog import Rule, evaluate, get_catalog
from gasguard.rules.choices import TargetTypeChoices

T = TargetTypeChoices

# Premises kind → rule target types that apply to it.
PREMISES_TARGETS = {
    "restaurant": (T.RESTAURANT, T.CROWDED_PLACE),
    "canteen": (T.RESTAURANT, T.CROWDED_PLACE),
    "school": (T.CROWDED_PLACE,),
    "hospital": (T.CROWDED_PLACE,),
    "civil_service": (T.CROWDED_PLACE,),
    "scenic": (T.CROWDED_PLACE,),
    "nine_small": (T.RESTAURANT, T.CROWDED_PLACE),
    "market": (T.CROWDED_PLACE,),
    "industrial": (T.CROWDED_PLACE,),
    "residential": (T.RESIDENTIAL_USER,),
    "other": (T.CROWDED_PLACE,),
}
# Enterprise role → rule target types.
ROLE_TARGETS = {
    "pipeline_gas": (T.GAS_OPERATOR,),
    "bottled_lpg": (T.GAS_OPERATOR,),
    "cylinder_filling": (T.FILLING_STATION,),
    "lpg_producer": (T.LPG_PRODUCER,),
    "industrial_fuel": (T.INDUSTRIAL_FUEL_PRODUCER,),
    "cylinder_maker": (T.APPLIANCE_MAKER,),
    "appliance_maker": (T.APPLIANCE_MAKER,),
    "appliance_seller": (T.APPLIANCE_SELLER,),
    "dangerous_transport": (T.TRANSPORT_COMPANY,),
    "inspection_body": (T.INSPECTION_BODY,),
    "restaurant": (T.RESTAURANT,),
}


def target_types_for(target) -> tuple[str, ...]:
    """The rule target types of a registry Premises, Enterprise or Facility."""
    from gasguard.registry.models import Enterprise, Facility, Premises

    if isinstance(target, Premises):
        return PREMISES_TARGETS.get(target.kind, (T.CROWDED_PLACE,))
    if isinstance(target, Enterprise):
        types: list[str] = []
        for role in target.roles.all():
            for t in ROLE_TARGETS.get(role.role, ()):
                if t not in types:
                    types.append(t)
        return tuple(types)
    if isinstance(target, Facility):
        return (T.PIPELINE,)
    raise ValidationFailed("检查对象须为场所、企业或设施", field="target")


def checklist_for(target, *, exclude_answer_types: tuple[str, ...] = ()) -> list[Rule]:
    """The on-site checklist for a target: catalogue rules for its target types, in catalogue
    order, without duplicates. Rules computed from data (`extra.inspection: false`, the
    registry findings) are left out: they are not asked on site."""
    types = set(target_types_for(target))
    return [
        rule
        for rule in get_catalog().rules.values()
        if rule.in_inspection
        and types.intersection(rule.targets)
        and rule.answer.type not in exclude_answer_types
    ]


def checklist_for_type(target_type: str) -> list[Rule]:
    """The on-site checklist for a target type (same selection as `checklist_for`)."""
    if target_type not in T.values:
        raise ValidationFailed(f"未知对象类型：{target_type}", field="target_type")
    return [rule for rule in get_catalog().for_target(target_type) if rule.in_inspection]


def checklist_named(name: str, *, target_type: str | None = None) -> list[Rule]:
    """Rules of a named checklist (`extra.checklists` contains `name`, e.g. "delivery_check" for
    随瓶安检), in catalogue order; with `target_type`, only those that apply to that type."""
    if target_type is not None and target_type not in T.values:
        raise ValidationFailed(f"未知对象类型：{target_type}", field="target_type")
    return [
        rule
        for rule in get_catalog().rules.values()
        if name in rule.checklists and (target_type is None or target_type in rule.targets)
    ]


def checklist_names() -> list[str]:
    """Every checklist name used in the catalogue, sorted."""
    return sorted({name for rule in get_catalog().rules.values() for name in rule.checklists})


_TRUE = {True, "true", "yes", "1", "是", "y"}
_FALSE = {False, "false", "no", "0", "否", "n"}


def parse_answer(rule: Rule, raw, *, field: str | None = None):
    """Check a raw answer against the rule's answer type; return the typed value.

    bool: true/false (also 是/否, yes/no, 1/0); number: a finite number within the rule's
    physical range; choice: one of the rule's choices; text: a string; photo: not answered by
    value (photos are uploaded separately), so None is returned. Raises ValidationFailed
    naming `field` (default: the rule id) on anything else.
    """
    name = field or rule.id
    a = rule.answer
    if a.type == "bool":
        value = raw.strip().lower() if isinstance(raw, str) else raw
        if isinstance(value, float):
            value = None
        if value in _TRUE and not (
            isinstance(value, int) and not isinstance(value, bool) and value not in (0, 1)
        ):
            return True
        if value in _FALSE:
            return False
        raise ValidationFailed(f"{rule.title}：请回答“是”或“否”", field=name)
    if a.type == "number":
        if isinstance(raw, bool) or raw is None or raw == "":
            raise ValidationFailed(f"{rule.title}：请填写数值（{a.unit}）", field=name)
        try:
            value = float(raw)
        except (TypeError, ValueError):
            raise ValidationFailed(f"{rule.title}：“{raw}”不是数值（{a.unit}）", field=name) from None
        if not math.isfinite(value):
            raise ValidationFailed(f"{rule.title}：数值无效", field=name)
        low = a.min_value if a.min_value is not None else 0.0
        if value < low:
            raise ValidationFailed(f"{rule.title}：数值不能小于 {low}{a.unit}", field=name)
        if a.max_value is not None and value > a.max_value:
            raise ValidationFailed(f"{rule.title}：数值超出合理范围（≤{a.max_value}{a.unit}）", field=name)
        return value
    if a.type == "choice":
        if raw not in a.choices:
            raise ValidationFailed(f"{rule.title}：请从 {'、'.join(a.choices)} 中选择", field=name)
        return raw
    if a.type == "text":
        if not isinstance(raw, str):
            raise ValidationFailed(f"{rule.title}：请填写文字", field=name)
        return raw.strip()[:2000]
    return None


def is_hazard(rule: Rule, value) -> bool:
    """Whether a parsed answer means a hazard (photo/text answers never do by themselves)."""
    if value is None:
        return False
    return evaluate(rule, value)
