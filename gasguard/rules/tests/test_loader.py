"""Catalogue validation: a bad file is refused with its file name and line."""

import textwrap

import pytest
from django.test import override_settings

from gasguard.rules.catalog import CatalogError, load_catalog

RULE = """\
  - id: {id}
    title: 连接软管长度超过2米
    question: 燃具连接软管长度（米）
    targets: [{target}]
    answer: {answer}
    severity: {severity}
    category: {category}
    lead: {lead}
    basis:
      plan: 二(四)2
    actions: [{action}]
    deadline_days: 7
    status: {status}
"""


def rule(**kw) -> str:
    values = {
        "id": "t_hose",
        "target": "restaurant",
        "answer": '{type: number, unit: m, operator: ">", threshold: 2.0}',
        "severity": "general",
        "category": "hose",
        "lead": "fire",
        "action": "order_rectify",
        "status": "Plan",
    }
    values.update(kw)
    return RULE.format(**values)


def write(directory, name, *rules):
    path = directory / name
    path.write_text("rules:\n" + "".join(rules), encoding="utf-8")
    return path


def test_minimal_catalogue_loads(tmp_path):
    write(tmp_path, "a.yaml", rule())
    catalog = load_catalog(tmp_path, override=None)
    assert list(catalog.rules) == ["t_hose"]
    assert catalog.rules["t_hose"].origin == "a.yaml:2"


def test_duplicate_id_names_both_places(tmp_path):
    write(tmp_path, "a.yaml", rule())
    write(tmp_path, "b.yaml", rule(id="t_other"), rule())
    with pytest.raises(CatalogError) as err:
        load_catalog(tmp_path)
    message = str(err.value)
    assert message.startswith("b.yaml:15:") and "t_hose" in message and "a.yaml:2" in message


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"lead": "fire_brigade"}, "未知部门类型 'fire_brigade'"),
        ({"target": "hotel"}, "未知对象类型 'hotel'"),
        ({"category": "问题软管"}, "未知类别"),
        ({"severity": "critical"}, "未知等级"),
        ({"action": "warn"}, "未知处置措施 'warn'"),
        ({"status": "Maybe"}, "未知来源状态"),
        ({"id": "Bad-Id"}, "规则 id 须为"),
        ({"answer": "{type: number, unit: m, operator: '>'}"}, "数值 threshold"),
        ({"answer": "{type: number, operator: '>', threshold: 2}"}, "unit"),
        ({"answer": "{type: bool}"}, "hazard_when"),
        ({"answer": "{type: yesno, hazard_when: true}"}, "answer.type 未知"),
        ({"answer": "{type: choice, choices: [a, b], hazard_choices: [a, b]}"}, "不构成隐患"),
        ({"answer": "{type: bool, hazard_when: true, threshhold: 1}"}, "answer 含未知字段"),
        ({"status": "C-sec"}, "threshold_setting"),
        (
            {
                "answer": '{type: number, unit: m, operator: ">", threshold: 2, threshold_setting: GASGUARD_NOPE}'
            },
            "不是已定义的 GASGUARD_* 设置",
        ),
    ],
)
def test_invalid_rule_is_refused_with_file_and_line(tmp_path, change, expected):
    write(tmp_path, "a.yaml", rule(id="t_ok"), rule(**change))
    with pytest.raises(CatalogError) as err:
        load_catalog(tmp_path)
    # The rule's line, or the line of its answer mapping for answer errors.
    assert str(err.value).split(": ", 1)[0] in ("a.yaml:15", "a.yaml:19"), str(err.value)
    assert expected in str(err.value)


def test_missing_field_and_unknown_field(tmp_path):
    write(tmp_path, "a.yaml", rule().replace("    deadline_days: 7\n", ""))
    with pytest.raises(CatalogError, match=r"a.yaml:2: .*缺少字段：deadline_days"):
        load_catalog(tmp_path)
    write(tmp_path, "a.yaml", rule() + "    legal: x\n")
    with pytest.raises(CatalogError, match=r"未知字段：legal"):
        load_catalog(tmp_path)


def test_yaml_syntax_error_names_the_line(tmp_path):
    (tmp_path / "a.yaml").write_text("rules:\n  - id: x\n    title: [unclosed\n", encoding="utf-8")
    with pytest.raises(CatalogError, match=r"^a.yaml:\d+: YAML 语法错误"):
        load_catalog(tmp_path)


def test_national_files_may_not_use_override(tmp_path):
    write(tmp_path, "a.yaml", rule() + "    override: true\n")
    with pytest.raises(CatalogError, match="override 只能用于地方规则文件"):
        load_catalog(tmp_path)


def test_version_is_a_content_hash_including_threshold_settings(tmp_path):
    write(
        tmp_path,
        "a.yaml",
        rule(answer='{type: number, unit: m, operator: "<", threshold: 0.5, '
             "threshold_setting: GASGUARD_CYLINDER_APPLIANCE_MIN_DISTANCE_M}"),
    )  # fmt: skip
    first = load_catalog(tmp_path).version
    assert load_catalog(tmp_path).version == first
    with override_settings(GASGUARD_CYLINDER_APPLIANCE_MIN_DISTANCE_M=1.0):
        tightened = load_catalog(tmp_path)
        assert tightened.version != first
        assert tightened.rules["t_hose"].answer.effective_threshold() == 1.0
    write(tmp_path, "a.yaml", rule(), textwrap.dedent(""))
    assert load_catalog(tmp_path).version != first
