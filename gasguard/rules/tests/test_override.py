"""Locality override files: add rules and tighten national ones, never loosen them."""

import pytest
from django.test import override_settings

from gasguard.rules.catalog import CATALOG_DIR, CatalogError, load_catalog
from gasguard.rules.checklists import is_hazard, parse_answer

NEW_RULE = """\
  - id: local_cylinder_cabinet_missing
    title: 未设置气瓶柜
    question: 室内使用的液化石油气瓶是否放置在专用气瓶柜内？
    targets: [restaurant]
    answer: {type: bool, hazard_when: false}
    severity: general
    category: environment
    lead: fire
    support: [commerce]
    basis:
      standards: ["某市瓶装燃气管理办法 第十二条"]
    actions: [order_rectify]
    deadline_days: 15
    status: Plan
"""
TIGHTEN_HOSE = """\
  - id: rest_hose_over_2m
    override: true
    answer: {threshold: 1.5}
    deadline_days: 3
    basis:
      standards: ["某市餐饮场所燃气安全管理规定 第八条（软管不超过1.5米）"]
"""


def write(tmp_path, text):
    path = tmp_path / "local.yaml"
    path.write_text("rules:\n" + text, encoding="utf-8")
    return path


def test_override_adds_a_rule_and_tightens_the_hose_threshold(tmp_path):
    national = load_catalog(override=None)
    catalog = load_catalog(override=write(tmp_path, NEW_RULE + TIGHTEN_HOSE))
    assert catalog.version != national.version and catalog.override == "local.yaml"
    added = catalog.rules["local_cylinder_cabinet_missing"]
    assert added.origin == "local.yaml:2" and added.extra["local"] is True
    hose = catalog.rules["rest_hose_over_2m"]
    assert hose.answer.threshold == 1.5 and hose.answer.unit == "m" and hose.deadline_days == 3
    assert hose.overridden_by == "local.yaml:16"
    assert hose.basis_standards[0] == national.rules["rest_hose_over_2m"].basis_standards[0]
    assert "某市餐饮场所燃气安全管理规定" in hose.legal_basis
    assert is_hazard(hose, parse_answer(hose, "1.8")) is True
    assert is_hazard(national.rules["rest_hose_over_2m"], 1.8) is False
    assert len(catalog.rules) == len(national.rules) + 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  - id: rest_hose_over_2m\n    override: true\n    answer: {threshold: 3.0}\n", "宽松"),
        ("  - id: rest_lpg_underground\n    override: true\n    severity: general\n", "不能降低隐患等级"),
        ("  - id: rest_hose_tee\n    override: true\n    deadline_days: 60\n", "不能延长整改期限"),
        (
            "  - id: rest_hose_tee\n    override: true\n    answer: {hazard_when: false}\n",
            "不能改变“是/否”的判定",
        ),
        ("  - id: rest_hose_tee\n    override: true\n    targets: [restaurant]\n", "不能减少适用对象"),
        ("  - id: rest_hose_tee\n    override: true\n    actions: [order_rectify]\n", "不能删减处置措施"),
        ("  - id: rest_hose_over_2m\n    override: true\n    answer: {operator: '>='}\n", "不能改变判定方式"),
        ("  - id: no_such_rule\n    override: true\n    deadline_days: 1\n", "要调整的规则不存在"),
        (NEW_RULE.replace("local_cylinder_cabinet_missing", "rest_hose_tee"), "与全国规则重复"),
    ],
)
def test_loosening_or_clashing_override_is_refused_with_line(tmp_path, text, expected):
    with pytest.raises(CatalogError) as err:
        load_catalog(override=write(tmp_path, text))
    assert str(err.value).startswith("local.yaml:2:"), str(err.value)
    assert expected in str(err.value)


def test_override_compares_against_the_configured_threshold(tmp_path):
    text = "  - id: dc_cylinder_appliance_distance\n    override: true\n    answer: {threshold: 0.8}\n"
    with override_settings(GASGUARD_CYLINDER_APPLIANCE_MIN_DISTANCE_M=1.0):
        with pytest.raises(CatalogError, match="宽松"):
            load_catalog(override=write(tmp_path, text))
    catalog = load_catalog(override=write(tmp_path, text))
    rule = catalog.rules["dc_cylinder_appliance_distance"]
    assert rule.answer.effective_threshold() == 0.8 and rule.answer.threshold_setting == ""


def test_override_file_from_setting_and_missing_file(tmp_path):
    path = write(tmp_path, NEW_RULE)
    with override_settings(GASGUARD_RULES_OVERRIDE=str(path)):
        assert "local_cylinder_cabinet_missing" in load_catalog().rules
    with pytest.raises(CatalogError, match="地方规则文件不存在"):
        load_catalog(override=tmp_path / "missing.yaml")
    assert CATALOG_DIR.is_dir()
