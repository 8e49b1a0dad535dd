"""Reading the rule catalogue for lists, details, exports and the API (检查规则库查询).

The catalogue is public legal information, identical for every user, so no scope applies; all
readers (page, export, API, command) filter through `rule_list` so they agree.
"""

from collections import Counter
from dataclasses import dataclass

from gasguard.core.errors import NotFound, ValidationFailed
from gasguard.org.choices import DepartmentKindChoices
from gasguard.rules.catalog import Catalog, Rule, get_catalog
from gasguard.rules.choices import (
    AnswerTypeChoices,
    CategoryChoices,
    SeverityChoices,
    SourceStatusChoices,
    TargetTypeChoices,
)


@dataclass(frozen=True)
class RuleFilter:
    """The filters shared by the page, the export and the API."""

    target_type: str = ""
    category: str = ""
    severity: str = ""
    lead: str = ""
    status: str = ""
    answer_type: str = ""
    checklist: str = ""
    q: str = ""

    @classmethod
    def from_params(cls, params) -> "RuleFilter":
        """Read filters from a QueryDict; unknown values raise ValidationFailed naming the field."""
        values = {name: (params.get(name) or "").strip() for name in cls.__dataclass_fields__}
        allowed = {
            "target_type": TargetTypeChoices.values,
            "category": CategoryChoices.values,
            "severity": SeverityChoices.values,
            "lead": DepartmentKindChoices.values,
            "status": SourceStatusChoices.values,
            "answer_type": AnswerTypeChoices.values,
        }
        errors = {
            name: [f"未知取值：{values[name]}"]
            for name, choices in allowed.items()
            if values[name] and values[name] not in choices
        }
        if errors:
            raise ValidationFailed(
                "筛选条件有误：" + "；".join(f"{k} {v[0]}" for k, v in errors.items()), errors=errors
            )
        values["q"] = values["q"][:100]
        return cls(**values)


def _matches(rule: Rule, f: RuleFilter) -> bool:
    if f.target_type and f.target_type not in rule.targets:
        return False
    if f.category and rule.category != f.category:
        return False
    if f.severity and rule.severity != f.severity:
        return False
    if f.lead and rule.lead != f.lead:
        return False
    if f.status and rule.source_status != f.status:
        return False
    if f.answer_type and rule.answer.type != f.answer_type:
        return False
    if f.checklist and f.checklist not in rule.checklists:
        return False
    if f.q:
        haystack = " ".join(
            (rule.id, rule.title, rule.question, rule.legal_basis, rule.notes, rule.basis_plan)
        ).lower()
        if not all(word in haystack for word in f.q.lower().split()):
            return False
    return True


def rule_list(*, filters: RuleFilter | None = None, catalog: Catalog | None = None) -> list[Rule]:
    """Catalogue rules matching the filters, in catalogue order (file order, then line)."""
    catalog = catalog or get_catalog()
    filters = filters or RuleFilter()
    return [rule for rule in catalog.rules.values() if _matches(rule, filters)]


def rule_get(*, rule_id: str, catalog: Catalog | None = None) -> Rule:
    """One rule by id, or NotFound."""
    rule = (catalog or get_catalog()).get(rule_id)
    if rule is None:
        raise NotFound(f"规则库中没有规则 {rule_id}")
    return rule


def catalog_summary(catalog: Catalog | None = None) -> dict:
    """Version and counts per file, category, severity, source status and target type."""
    catalog = catalog or get_catalog()
    rules = list(catalog.rules.values())
    by_file = Counter(rule.origin.rsplit(":", 1)[0] for rule in rules)
    targets = Counter(t for rule in rules for t in rule.targets)
    return {
        "version": catalog.version,
        "rules": len(rules),
        "files": {name: by_file.get(name, 0) for name in catalog.files}
        | ({catalog.override: by_file.get(catalog.override, 0)} if catalog.override else {}),
        "override": catalog.override,
        "overridden_rules": sorted(rule.id for rule in rules if rule.overridden_by),
        "by_category": {c: n for c in CategoryChoices.values if (n := sum(r.category == c for r in rules))},
        "by_severity": {s: sum(r.severity == s for r in rules) for s in SeverityChoices.values},
        "by_status": {
            s: n for s in SourceStatusChoices.values if (n := sum(r.source_status == s for r in rules))
        },
        "by_target_type": {t: targets[t] for t in TargetTypeChoices.values if targets[t]},
        "thresholds": catalog_thresholds(catalog),
    }


def catalog_thresholds(catalog: Catalog | None = None) -> list[dict]:
    """The configurable thresholds in use: setting, default, current value, unit, rules, status."""
    catalog = catalog or get_catalog()
    found: dict[str, dict] = {}
    for rule in catalog.rules.values():
        a = rule.answer
        if not a.threshold_setting:
            continue
        entry = found.setdefault(
            a.threshold_setting,
            {
                "setting": a.threshold_setting,
                "default": a.threshold,
                "current": a.effective_threshold(),
                "unit": a.unit,
                "status": rule.source_status,
                "rules": [],
            },
        )
        entry["rules"].append(rule.id)
    return sorted(found.values(), key=lambda e: e["setting"])
