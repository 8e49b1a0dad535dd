"""Loading, validating and looking up the rule catalogue (检查规则库).

The catalogue is data: YAML files in `gasguard/rules/catalog/` (national rules) plus an
optional locality override file (GASGUARD_RULES_OVERRIDE) that may add rules or tighten
existing ones without touching the national files. Loading validates everything and refuses
with the file and line of the first problem. The catalogue version is a hash of the loaded
content, recorded on every inspection.
"""

import hashlib
import os
import re
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
    SourceStatusChoices,
    TargetTypeChoices,
)

CATALOG_DIR = Path(__file__).resolve().parent / "catalog"
_ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")


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

    @property
    def type_label(self) -> str:
        return AnswerTypeChoices(self.type).label

    def hazard_condition(self) -> str:
        """The hazard condition in words, e.g. "回答“是”" or "> 2 m"."""
        if self.type == AnswerTypeChoices.BOOL:
            return "回答“是”" if self.hazard_when else "回答“否”"
        if self.type == AnswerTypeChoices.NUMBER:
            text = f"{self.operator} {self.effective_threshold():g} {self.unit}"
            if self.threshold_setting:
                text += f"（可配置：{self.threshold_setting}，默认 {self.threshold:g}）"
            return text
        if self.type == AnswerTypeChoices.CHOICE:
            return "选择：" + "、".join(self.hazard_choices)
        return "仅作记录，不单独构成隐患"


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
    def source_status_label(self) -> str:
        return SourceStatusChoices(self.source_status).label

    @property
    def is_default_value(self) -> bool:
        """Whether the rule rests on a value DOMAIN.md marks as a configurable default."""
        return self.source_status in _SETTING_REQUIRED

    @property
    def checklists(self) -> tuple[str, ...]:
        """Named checklists (e.g. delivery_check, 随瓶安检) this rule belongs to."""
        return tuple(self.extra.get("checklists", ()))

    @property
    def in_inspection(self) -> bool:
        """False for rules computed from data (registry findings), not asked on site."""
        return bool(self.extra.get("inspection", True))

    @property
    def deadline_label(self) -> str:
        return "立即" if self.deadline_days == 0 else f"{self.deadline_days} 天"

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
    override: str = ""  # name of the locality override file applied, if any

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
    "question",
    "targets",
    "answer",
    "severity",
    "category",
    "lead",
    "basis",
    "actions",
    "deadline_days",
)
_KNOWN_KEYS = set(_REQUIRED) | {"support", "on_the_spot", "status", "notes", "__line__", "extra"}
_ANSWER_KEYS = {
    "type",
    "hazard_when",
    "unit",
    "operator",
    "threshold",
    "threshold_setting",
    "choices",
    "hazard_choices",
    "min",
    "max",
    "__line__",
}
# Facts tagged C-sec / M / Unconfirmed in DOMAIN.md must not be hard-coded thresholds.
_SETTING_REQUIRED = {"C-sec", "M", "Unconfirmed"}
_OPERATORS = {">", ">=", "<", "<="}


def _fail(path: Path, line: int | None, message: str) -> None:
    where = f"{path.name}:{line}" if line else path.name
    raise CatalogError(f"{where}: {message}")


def _number(path: Path, line: int, raw, key: str) -> float | None:
    value = raw.get(key)
    if value is None:
        return None
    if not isinstance(value, int | float) or isinstance(value, bool):
        _fail(path, line, f"answer.{key} 须为数值")
    return float(value)


def _parse_answer(path: Path, line: int, raw, *, base: Answer | None = None) -> Answer:
    """Parse `answer:`; with `base` (a locality override) missing keys keep the base values."""
    if not isinstance(raw, dict):
        _fail(path, line, "answer 必须是映射")
    line = raw.get("__line__", line)
    unknown = set(raw) - _ANSWER_KEYS
    if unknown:
        _fail(path, line, f"answer 含未知字段：{', '.join(sorted(unknown))}")
    if base is not None:
        merged = {
            "type": base.type,
            "hazard_when": base.hazard_when,
            "unit": base.unit,
            "operator": base.operator,
            "threshold": base.threshold,
            "choices": list(base.choices),
            "hazard_choices": list(base.hazard_choices),
            "min": base.min_value,
            "max": base.max_value,
        }
        if base.threshold_setting and "threshold" not in raw:
            merged["threshold_setting"] = base.threshold_setting
        merged.update({k: v for k, v in raw.items() if k != "__line__"})
        raw = {k: v for k, v in merged.items() if v is not None}
    kind = raw.get("type")
    if kind not in AnswerTypeChoices.values:
        _fail(path, line, f"answer.type 未知：{kind!r}（可选 {', '.join(AnswerTypeChoices.values)}）")
    if kind == "bool":
        if not isinstance(raw.get("hazard_when"), bool):
            _fail(path, line, "bool 类型须给出 hazard_when: true/false")
        return Answer(type=kind, hazard_when=raw["hazard_when"])
    if kind == "number":
        op = raw.get("operator")
        threshold = raw.get("threshold")
        if op not in _OPERATORS:
            _fail(path, line, f"number 类型的 operator 须为 {sorted(_OPERATORS)}")
        if not isinstance(threshold, int | float) or isinstance(threshold, bool):
            _fail(path, line, "number 类型须给出数值 threshold")
        if not raw.get("unit"):
            _fail(path, line, "number 类型须给出 unit")
        setting = str(raw.get("threshold_setting") or "")
        if setting:
            if not setting.startswith("GASGUARD_") or not hasattr(settings, setting):
                _fail(path, line, f"threshold_setting {setting} 不是已定义的 GASGUARD_* 设置")
            value = getattr(settings, setting)
            if not isinstance(value, int | float) or isinstance(value, bool):
                _fail(path, line, f"threshold_setting {setting} 的值不是数值")
        low, high = _number(path, line, raw, "min"), _number(path, line, raw, "max")
        if low is not None and high is not None and low >= high:
            _fail(path, line, "answer.min 须小于 answer.max")
        return Answer(
            type=kind,
            unit=str(raw["unit"]),
            operator=op,
            threshold=float(threshold),
            threshold_setting=setting,
            min_value=low,
            max_value=high,
        )
    if kind == "choice":
        choices = [str(c) for c in raw.get("choices") or []]
        hazard = [str(c) for c in raw.get("hazard_choices") or []]
        if not choices or not hazard or not set(hazard) <= set(choices):
            _fail(path, line, "choice 类型须给出 choices，且 hazard_choices 为其非空子集")
        if len(set(choices)) != len(choices):
            _fail(path, line, "choices 不能重复")
        if set(hazard) == set(choices):
            _fail(path, line, "choice 类型须至少有一个不构成隐患的选项")
        return Answer(type=kind, choices=tuple(choices), hazard_choices=tuple(hazard))
    return Answer(type=kind)


def _parse_rule(path: Path, raw: dict, *, partial: bool = False, base: dict | None = None) -> dict:
    line = raw.get("__line__")
    unknown = set(raw) - _KNOWN_KEYS - {"override"}
    if unknown:
        _fail(path, line, f"未知字段：{', '.join(sorted(unknown))}")
    if not partial:
        missing = [k for k in _REQUIRED if k not in raw]
        if missing:
            _fail(path, line, f"规则 {raw.get('id', '?')} 缺少字段：{', '.join(missing)}")
    rid = raw.get("id")
    if not isinstance(rid, str) or not _ID_RE.match(rid):
        _fail(path, line, f"规则 id 须为小写字母开头的小写字母、数字和下划线：{rid!r}")
    out: dict = {"id": rid, "origin": f"{path.name}:{line}"}
    for key in ("title", "question"):
        if key in raw:
            if not isinstance(raw[key], str) or not raw[key].strip():
                _fail(path, line, f"{rid}: {key} 须为非空文字")
            out[key] = raw[key].strip()
    if "targets" in raw:
        targets = raw["targets"]
        if not isinstance(targets, list) or not targets:
            _fail(path, line, f"{rid}: targets 须为非空列表")
        for t in targets:
            if t not in TargetTypeChoices.values:
                _fail(path, line, f"{rid}: 未知对象类型 {t!r}")
        if len(set(targets)) != len(targets):
            _fail(path, line, f"{rid}: targets 有重复")
        out["targets"] = tuple(targets)
    if "answer" in raw:
        out["answer"] = _parse_answer(path, line, raw["answer"], base=base["answer"] if base else None)
    if "severity" in raw:
        if raw["severity"] not in SeverityChoices.values:
            _fail(
                path, line, f"{rid}: 未知等级 {raw['severity']!r}（可选 {', '.join(SeverityChoices.values)}）"
            )
        out["severity"] = raw["severity"]
    if "category" in raw:
        if raw["category"] not in CategoryChoices.values:
            _fail(path, line, f"{rid}: 未知类别 {raw['category']!r}")
        out["category"] = raw["category"]
    if "lead" in raw:
        if raw["lead"] not in DepartmentKindChoices.values:
            _fail(path, line, f"{rid}: 未知部门类型 {raw['lead']!r}")
        out["lead"] = raw["lead"]
    if "support" in raw:
        support = raw["support"] or []
        if not isinstance(support, list):
            _fail(path, line, f"{rid}: support 须为列表")
        for kind in support:
            if kind not in DepartmentKindChoices.values:
                _fail(path, line, f"{rid}: 未知部门类型 {kind!r}")
        out["support"] = tuple(support)
    if "basis" in raw:
        basis = raw["basis"]
        if not isinstance(basis, dict) or not (basis.get("plan") or basis.get("standards")):
            _fail(path, line, f"{rid}: basis 须给出 plan 条款或 standards")
        if set(basis) - {"plan", "standards", "__line__"}:
            _fail(path, line, f"{rid}: basis 只能包含 plan 和 standards")
        standards = basis.get("standards") or []
        if not isinstance(standards, list):
            _fail(path, line, f"{rid}: basis.standards 须为列表")
        out["basis_plan"] = str(basis.get("plan") or "")
        out["basis_standards"] = tuple(str(s) for s in standards)
    if "actions" in raw:
        actions = raw["actions"] or []
        if not isinstance(actions, list) or not actions:
            _fail(path, line, f"{rid}: actions 须为非空列表")
        for action in actions:
            if action not in ActionChoices.values:
                _fail(path, line, f"{rid}: 未知处置措施 {action!r}")
        out["actions"] = tuple(actions)
    if "deadline_days" in raw:
        days = raw["deadline_days"]
        if not isinstance(days, int) or isinstance(days, bool) or days < 0 or days > 365:
            _fail(path, line, f"{rid}: deadline_days 须为 0–365 的整数")
        out["deadline_days"] = days
    if "on_the_spot" in raw:
        if not isinstance(raw["on_the_spot"], bool):
            _fail(path, line, f"{rid}: on_the_spot 须为 true/false")
        out["on_the_spot"] = raw["on_the_spot"]
    if "status" in raw:
        if raw["status"] not in SourceStatusChoices.values:
            _fail(
                path,
                line,
                f"{rid}: 未知来源状态 {raw['status']!r}（可选 {', '.join(SourceStatusChoices.values)}）",
            )
        out["source_status"] = raw["status"]
    if "notes" in raw:
        out["notes"] = str(raw["notes"] or "").strip()
    if "extra" in raw:
        extra = raw["extra"]
        if not isinstance(extra, dict):
            _fail(path, line, f"{rid}: extra 须为映射")
        extra = {k: v for k, v in extra.items() if k != "__line__"}
        checklists = extra.get("checklists", [])
        if not isinstance(checklists, list) or not all(
            isinstance(c, str) and _ID_RE.match(c) for c in checklists
        ):
            _fail(path, line, f"{rid}: extra.checklists 须为清单名列表（小写字母、数字、下划线）")
        if "inspection" in extra and not isinstance(extra["inspection"], bool):
            _fail(path, line, f"{rid}: extra.inspection 须为 true/false")
        out["extra"] = extra
    return out


def _check_rule(path: Path, line: int | None, item: dict, *, local: bool = False) -> None:
    """Cross-field checks on a complete rule. A locality's own fixed threshold is its decision,
    so the "unconfirmed values must be settings" check applies to national files only."""
    rid = item["id"]
    answer: Answer = item["answer"]
    if (
        not local
        and answer.type == AnswerTypeChoices.NUMBER
        and item.get("source_status", "Plan") in _SETTING_REQUIRED
        and not answer.threshold_setting
    ):
        _fail(
            path,
            line,
            f"{rid}: 来源状态为 {item['source_status']} 的阈值须用 threshold_setting 配置（不得写死）",
        )
    if item["lead"] in item.get("support", ()):
        _fail(path, line, f"{rid}: 牵头部门不应同时列为配合部门")


def _read(path: Path) -> list[dict]:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LineLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        _fail(path, mark.line + 1 if mark else None, f"YAML 语法错误：{exc}")
    except UnicodeDecodeError:
        _fail(path, None, "文件须为 UTF-8 编码")
    if data is None:
        return []
    rules = data.get("rules") if isinstance(data, dict) else None
    if not isinstance(rules, list):
        _fail(path, None, "文件须包含 rules: 列表")
    for raw in rules:
        if not isinstance(raw, dict):
            _fail(path, None, "每条规则须为映射")
    return rules


def _override_path(override: Path | None) -> Path | None:
    if override is not None:
        return Path(override)
    configured = getattr(settings, "GASGUARD_RULES_OVERRIDE", "") or os.environ.get(
        "GASGUARD_RULES_OVERRIDE", ""
    )
    return Path(configured) if configured else None


def load_catalog(directory: Path | None = None, override: Path | None = None) -> Catalog:
    """Read and validate every national file, then apply the locality override.

    `override=None` uses the GASGUARD_RULES_OVERRIDE setting (empty: no override). Raises
    CatalogError naming the file and line of the first problem.
    """
    directory = directory or CATALOG_DIR
    # The plan's sections first (checklists follow the plan's order), then the other files.
    files = sorted(directory.glob("*.yaml"), key=lambda p: (not p.name.startswith("plan_"), p.name))
    if not files:
        raise CatalogError(f"{directory}: 没有规则文件")
    digest = hashlib.sha256()
    parsed: dict[str, dict] = {}
    for path in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
        for raw in _read(path):
            if raw.get("override"):
                _fail(path, raw.get("__line__"), "override 只能用于地方规则文件")
            item = _parse_rule(path, raw)
            if item["id"] in parsed:
                _fail(
                    path,
                    raw.get("__line__"),
                    f"规则 id 重复：{item['id']}（已在 {parsed[item['id']]['origin']} 定义）",
                )
            _check_rule(path, raw.get("__line__"), item)
            parsed[item["id"]] = item
    override = _override_path(override)
    override_name = ""
    if override is not None:
        if not override.is_file():
            raise CatalogError(f"{override}: 地方规则文件不存在")
        override_name = override.name
        digest.update(b"override\0" + override.read_bytes())
        seen: dict[str, str] = {}
        for raw in _read(override):
            rid = raw.get("id")
            line = raw.get("__line__")
            if isinstance(rid, str) and rid in seen:
                _fail(override, line, f"地方规则文件中 id 重复：{rid}（已在 {seen[rid]} 出现）")
            if raw.get("override"):
                if rid not in parsed:
                    _fail(override, line, f"要调整的规则不存在：{rid}")
                base = parsed[rid]
                changes = _parse_rule(override, raw, partial=True, base=base)
                _check_tightening(override, line, base, changes)
                origin = changes.pop("origin")
                if "basis_standards" in changes:  # local basis is added to the national one
                    changes["basis_standards"] = base["basis_standards"] + tuple(
                        s for s in changes["basis_standards"] if s not in base["basis_standards"]
                    )
                if "basis_plan" in changes and not changes["basis_plan"]:
                    changes.pop("basis_plan")
                base.update(changes)
                base["overridden_by"] = origin
                _check_rule(override, line, base, local=True)
            else:
                item = _parse_rule(override, raw)
                if rid in parsed:
                    _fail(
                        override,
                        line,
                        f"规则 id 与全国规则重复：{rid}（{parsed[rid]['origin']}；调整已有规则须写 override: true）",
                    )
                _check_rule(override, line, item, local=True)
                item["extra"] = {**item.get("extra", {}), "local": True}
                parsed[rid] = item
            seen[rid] = f"{override.name}:{line}"
    rules = {}
    for rid, item in parsed.items():
        item.setdefault("support", ())
        item.setdefault("on_the_spot", False)
        rules[rid] = Rule(**item)
    # Thresholds read from settings change what a rule means, so they are part of the version.
    for rule in rules.values():
        if rule.answer.threshold_setting:
            digest.update(f"{rule.answer.threshold_setting}={rule.answer.effective_threshold()!r}".encode())
    return Catalog(
        version=digest.hexdigest()[:12],
        rules=rules,
        files=tuple(p.name for p in files),
        override=override_name,
    )


_RANK = {SeverityChoices.GENERAL: 0, SeverityChoices.MAJOR: 1}


def _check_tightening(path: Path, line: int | None, base: dict, changes: dict) -> None:
    """A locality may tighten a national rule (stricter threshold, higher severity, shorter
    deadline, more targets or actions), never loosen it."""
    rid = base["id"]
    if "severity" in changes and _RANK[changes["severity"]] < _RANK[base["severity"]]:
        _fail(path, line, f"{rid}: 地方规则不能降低隐患等级")
    if "deadline_days" in changes and changes["deadline_days"] > base["deadline_days"]:
        _fail(path, line, f"{rid}: 地方规则不能延长整改期限（全国规则 {base['deadline_days']} 天）")
    if "targets" in changes and not set(base["targets"]) <= set(changes["targets"]):
        _fail(path, line, f"{rid}: 地方规则不能减少适用对象")
    if "actions" in changes and not set(base["actions"]) <= set(changes["actions"]):
        _fail(path, line, f"{rid}: 地方规则不能删减处置措施")
    if "on_the_spot" in changes and base["on_the_spot"] and not changes["on_the_spot"]:
        _fail(path, line, f"{rid}: 地方规则不能取消立行立改要求")
    if "answer" in changes:
        new, old = changes["answer"], base["answer"]
        if new.type != old.type:
            _fail(path, line, f"{rid}: 地方规则不能改变回答方式（{old.type}）")
        if old.type == AnswerTypeChoices.BOOL and new.hazard_when != old.hazard_when:
            _fail(path, line, f"{rid}: 地方规则不能改变“是/否”的判定")
        if old.type == AnswerTypeChoices.CHOICE and (
            not set(old.choices) <= set(new.choices) or not set(old.hazard_choices) <= set(new.hazard_choices)
        ):
            _fail(path, line, f"{rid}: 地方规则只能增加构成隐患的选项，不能减少")
        if old.type == AnswerTypeChoices.NUMBER:
            if new.operator != old.operator or new.unit != old.unit:
                _fail(path, line, f"{rid}: 地方规则只能调整阈值，不能改变判定方式或单位")
            current = old.effective_threshold()
            proposed = new.effective_threshold()
            looser = proposed > current if old.operator in (">", ">=") else proposed < current
            if looser:
                _fail(
                    path,
                    line,
                    f"{rid}: 地方规则阈值 {proposed:g}{new.unit} 比全国规则 {current:g}{old.unit} 宽松，不予采用",
                )


@lru_cache(maxsize=1)
def get_catalog() -> Catalog:
    """The loaded catalogue (cached for the process; `reload_catalog()` re-reads it)."""
    return load_catalog()


def reload_catalog() -> Catalog:
    """Forget the cached catalogue and load it again (after editing files or settings)."""
    get_catalog.cache_clear()
    return get_catalog()


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
