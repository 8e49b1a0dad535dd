"""Loading, validating and looking up the rule catalogue (检查规则库).

The catalogue is data: YAML files in `gasguard/rules/catalog/` (national rules) plus an
optional locality override file (GASGUARD_RULES_OVERRIDE) that may add rules or tighten
existing ones without touching the national files. Loading validates everything and refuses
with the file and line of the first problem. The catalogue version is a hash of the loaded
content, recorded on every inspection.
"""

import hashlib
import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml
from django.conf import settings

from gasguard.org.choices import DepartmentKindChoices
from gasguard.rules.choices import (
    ActionChoices,
    AnswerTypeChoices,
    CategoryChoices,
    SeverityChoices,
    TargetTypeChoices,
)

CATALOG_DIR = Path(__file__).resolve().parent / "catalog"


class CatalogError(Exception):
    """The catalogue cannot be loaded; the message names the file and line."""


@dataclass(frozen=True)
class Answer:
    """How a rule is answered and when the answer is a hazard.

    - bool: `hazard_when` is true or false (the answer that means a hazard).
    - number: `unit`, `operator` (> >= < <=) and `threshold`; `threshold_setting` names a
      GASGUARD_* setting that overrides the default threshold (unconfirmed values).
    - choice: `choices` and `hazard_choices`.
    - photo / text: never a hazard by itself (evidence only).
    """

    type: str
    hazard_when: bool | None = None
    unit: str = ""
    operator: str = ""
    threshold: float | None = None
    threshold_setting: str = ""
    choices: tuple[str, ...] = ()
    hazard_choices: tuple[str, ...] = ()
    min_value: float | None = None
    max_value: float | None = None

    def effective_threshold(self) -> float | None:
        if self.threshold_setting and hasattr(settings, self.threshold_setting):
            return float(getattr(settings, self.threshold_setting))
        return self.threshold


@dataclass(frozen=True)
class Rule:
    """One atomic check of the plan with its legal basis and the ledger defaults it implies."""

    id: str
    title: str
    question: str
    targets: tuple[str, ...]
    answer: Answer
    severity: str
    category: str
    lead: str
    support: tuple[str, ...]
    basis_plan: str
    basis_standards: tuple[str, ...]
    actions: tuple[str, ...]
    deadline_days: int
    on_the_spot: bool
    source_status: str = "Plan"
    notes: str = ""
    origin: str = ""  # file:line it came from
    overridden_by: str = ""
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def severity_label(self) -> str:
        return SeverityChoices(self.severity).label

    @property
    def category_label(self) -> str:
        return CategoryChoices(self.category).label

    @property
    def lead_label(self) -> str:
        return DepartmentKindChoices.short(self.lead)

    @property
    def support_labels(self) -> list[str]:
        return [DepartmentKindChoices.short(k) for k in self.support]

    @property
    def action_labels(self) -> list[str]:
        return [ActionChoices(a).label for a in self.actions]

    @property
    def target_labels(self) -> list[str]:
        return [TargetTypeChoices(t).label for t in self.targets]

    @property
    def legal_basis(self) -> str:
        parts = [f"《全国城镇燃气安全专项整治工作方案》{self.basis_plan}"] if self.basis_plan else []
        parts.extend(self.basis_standards)
        return "；".join(parts)


@dataclass(frozen=True)
class Catalog:
    """All rules, by id, with the content hash that identifies this version."""

    version: str
    rules: dict[str, Rule]
    files: tuple[str, ...]

    def get(self, rule_id: str) -> Rule | None:
        return self.rules.get(rule_id)

    def for_target(self, target_type: str) -> list[Rule]:
        return [r for r in self.rules.values() if target_type in r.targets]


class _LineLoader(yaml.SafeLoader):
    """A SafeLoader that records the line of every mapping (for error messages)."""


def _construct_mapping(loader, node, deep=False):
    mapping = yaml.SafeLoader.construct_mapping(loader, node, deep=deep)
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)

_REQUIRED = (
    "id",
    "title",
    "targets",
    "answer",
    "severity",
    "category",
    "lead",
    "basis",
    "actions",
    "deadline_days",
)
_KNOWN_KEYS = set(_REQUIRED) | {"question", "support", "on_the_spot", "status", "notes", "__line__", "extra"}
_OPERATORS = {">", ">=", "<", "<="}


def _fail(path: Path, line: int | None, message: str) -> None:
    where = f"{path.name}:{line}" if line else path.name
    raise CatalogError(f"{where}: {message}")


def _parse_answer(path: Path, line: int, raw) -> Answer:
    if not isinstance(raw, dict):
        _fail(path, line, "answer 必须是映射")
    kind = raw.get("type")
    if kind not in AnswerTypeChoices.values:
        _fail(path, raw.get("__line__", line), f"answer.type 未知：{kind!r}")
    if kind == "bool":
        if not isinstance(raw.get("hazard_when"), bool):
            _fail(path, raw.get("__line__", line), "bool 类型须给出 hazard_when: true/false")
        return Answer(type=kind, hazard_when=raw["hazard_when"])
    if kind == "number":
        op = raw.get("operator")
        threshold = raw.get("threshold")
        if op not in _OPERATORS:
            _fail(path, raw.get("__line__", line), f"number 类型的 operator 须为 {sorted(_OPERATORS)}")
        if not isinstance(threshold, int | float) or isinstance(threshold, bool):
            _fail(path, raw.get("__line__", line), "number 类型须给出数值 threshold")
        if not raw.get("unit"):
            _fail(path, raw.get("__line__", line), "number 类型须给出 unit")
        return Answer(
            type=kind,
            unit=str(raw["unit"]),
            operator=op,
            threshold=float(threshold),
            threshold_setting=str(raw.get("threshold_setting", "")),
            min_value=raw.get("min"),
            max_value=raw.get("max"),
        )
    if kind == "choice":
        choices = raw.get("choices") or []
        hazard = raw.get("hazard_choices") or []
        if not choices or not set(hazard) <= set(choices) or not hazard:
            _fail(path, raw.get("__line__", line), "choice 类型须给出 choices，且 hazard_choices 为其子集")
        return Answer(type=kind, choices=tuple(map(str, choices)), hazard_choices=tuple(map(str, hazard)))
    return Answer(type=kind)


def _parse_rule(path: Path, raw: dict, *, partial: bool = False) -> dict:
    line = raw.get("__line__")
    unknown = set(raw) - _KNOWN_KEYS - {"override"}
    if unknown:
        _fail(path, line, f"未知字段：{', '.join(sorted(unknown))}")
    if not partial:
        missing = [k for k in _REQUIRED if k not in raw]
        if missing:
            _fail(path, line, f"规则 {raw.get('id', '?')} 缺少字段：{', '.join(missing)}")
    rid = raw.get("id")
    if not isinstance(rid, str) or not rid.replace("_", "").isalnum() or not rid.islower():
        _fail(path, line, f"规则 id 须为小写字母、数字和下划线：{rid!r}")
    out: dict = {"id": rid, "origin": f"{path.name}:{line}"}
    if "title" in raw:
        out["title"] = str(raw["title"])
    if "question" in raw:
        out["question"] = str(raw["question"])
    if "targets" in raw:
        targets = raw["targets"]
        if not isinstance(targets, list) or not targets:
            _fail(path, line, f"{rid}: targets 须为非空列表")
        for t in targets:
            if t not in TargetTypeChoices.values:
                _fail(path, line, f"{rid}: 未知对象类型 {t!r}")
        out["targets"] = tuple(targets)
    if "answer" in raw:
        out["answer"] = _parse_answer(path, line, raw["answer"])
    if "severity" in raw:
        if raw["severity"] not in SeverityChoices.values:
            _fail(path, line, f"{rid}: 未知等级 {raw['severity']!r}")
        out["severity"] = raw["severity"]
    if "category" in raw:
        if raw["category"] not in CategoryChoices.values:
            _fail(path, line, f"{rid}: 未知类别 {raw['category']!r}")
        out["category"] = raw["category"]
    for key in ("lead",):
        if key in raw:
            if raw[key] not in DepartmentKindChoices.values:
                _fail(path, line, f"{rid}: 未知部门类型 {raw[key]!r}")
            out[key] = raw[key]
    if "support" in raw:
        for kind in raw["support"] or []:
            if kind not in DepartmentKindChoices.values:
                _fail(path, line, f"{rid}: 未知部门类型 {kind!r}")
        out["support"] = tuple(raw["support"] or [])
    if "basis" in raw:
        basis = raw["basis"]
        if not isinstance(basis, dict) or not (basis.get("plan") or basis.get("standards")):
            _fail(path, line, f"{rid}: basis 须给出 plan 条款或 standards")
        out["basis_plan"] = str(basis.get("plan") or "")
        out["basis_standards"] = tuple(str(s) for s in basis.get("standards") or [])
    if "actions" in raw:
        for action in raw["actions"] or []:
            if action not in ActionChoices.values:
                _fail(path, line, f"{rid}: 未知处置措施 {action!r}")
        out["actions"] = tuple(raw["actions"] or [])
    if "deadline_days" in raw:
        days = raw["deadline_days"]
        if not isinstance(days, int) or isinstance(days, bool) or days < 0 or days > 365:
            _fail(path, line, f"{rid}: deadline_days 须为 0–365 的整数")
        out["deadline_days"] = days
    if "on_the_spot" in raw:
        out["on_the_spot"] = bool(raw["on_the_spot"])
    if "status" in raw:
        out["source_status"] = str(raw["status"])
    if "notes" in raw:
        out["notes"] = str(raw["notes"])
    if "extra" in raw:
        out["extra"] = raw["extra"]
    return out


def _read(path: Path) -> list[dict]:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LineLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        _fail(path, mark.line + 1 if mark else None, f"YAML 语法错误：{exc}")
    if data is None:
        return []
    rules = data.get("rules") if isinstance(data, dict) else None
    if not isinstance(rules, list):
        _fail(path, None, "文件须包含 rules: 列表")
    return rules


def load_catalog(directory: Path | None = None, override: Path | None = None) -> Catalog:
    """Read and validate every national file, then apply the locality override."""
    directory = directory or CATALOG_DIR
    files = sorted(directory.glob("*.yaml"))
    if not files:
        raise CatalogError(f"{directory}: 没有规则文件")
    digest = hashlib.sha256()
    parsed: dict[str, dict] = {}
    for path in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
        for raw in _read(path):
            if not isinstance(raw, dict):
                _fail(path, None, "每条规则须为映射")
            item = _parse_rule(path, raw)
            if item["id"] in parsed:
                _fail(
                    path,
                    raw.get("__line__"),
                    f"规则 id 重复：{item['id']}（已在 {parsed[item['id']]['origin']} 定义）",
                )
            parsed[item["id"]] = item
    if override is None and os.environ.get("GASGUARD_RULES_OVERRIDE"):
        override = Path(os.environ["GASGUARD_RULES_OVERRIDE"])
    if override is not None:
        if not override.exists():
            raise CatalogError(f"{override}: 地方规则文件不存在")
        digest.update(b"override\0" + override.read_bytes())
        for raw in _read(override):
            rid = raw.get("id")
            if raw.get("override"):
                if rid not in parsed:
                    _fail(override, raw.get("__line__"), f"要调整的规则不存在：{rid}")
                changes = _parse_rule(override, raw, partial=True)
                base = parsed[rid]
                _check_tightening(override, raw.get("__line__"), base, changes)
                origin = changes.pop("origin")
                base.update(changes)
                base["overridden_by"] = origin
            else:
                item = _parse_rule(override, raw)
                if rid in parsed:
                    _fail(
                        override,
                        raw.get("__line__"),
                        f"规则 id 与全国规则重复：{rid}（调整已有规则须写 override: true）",
                    )
                parsed[rid] = item
    rules = {}
    for rid, item in parsed.items():
        item.setdefault("question", item["title"])
        item.setdefault("support", ())
        item.setdefault("on_the_spot", False)
        rules[rid] = Rule(**item)
    return Catalog(version=digest.hexdigest()[:12], rules=rules, files=tuple(p.name for p in files))


def _check_tightening(path: Path, line: int | None, base: dict, changes: dict) -> None:
    """A locality may tighten (stricter threshold, higher severity, shorter deadline), not loosen."""
    if "severity" in changes and base["severity"] == "major" and changes["severity"] != "major":
        _fail(path, line, f"{base['id']}: 地方规则不能降低隐患等级")
    if "deadline_days" in changes and changes["deadline_days"] > base["deadline_days"]:
        _fail(path, line, f"{base['id']}: 地方规则不能延长整改期限")
    if "answer" in changes and base["answer"].type == "number":
        new, old = changes["answer"], base["answer"]
        if new.type != "number" or new.operator != old.operator:
            _fail(path, line, f"{base['id']}: 地方规则只能调整阈值，不能改变判定方式")
        looser = (
            (new.threshold > old.threshold)
            if old.operator in (">", ">=")
            else (new.threshold < old.threshold)
        )
        if looser:
            _fail(path, line, f"{base['id']}: 地方规则阈值不能比全国规则宽松")


@lru_cache(maxsize=1)
def get_catalog() -> Catalog:
    """The loaded catalogue (cached for the process)."""
    return load_catalog()


def get_rule(rule_id: str) -> Rule | None:
    return get_catalog().get(rule_id)


def evaluate(rule: Rule, value) -> bool:
    """Whether an answer value means a hazard under this rule (value already type-checked)."""
    a = rule.answer
    if a.type == "bool":
        return value is a.hazard_when
    if a.type == "number":
        threshold = a.effective_threshold()
        return {
            ">": value > threshold,
            ">=": value >= threshold,
            "<": value < threshold,
            "<=": value <= threshold,
        }[a.operator]
    if a.type == "choice":
        return value in a.hazard_choices
    return False
