import pytest

from gasguard.audit.services import audit_verify
from gasguard.core.errors import ValidationFailed
from gasguard.hazards.services import hazard_register


@pytest.mark.django_db
def test_register_from_rule_fills_ledger_defaults(city):
    hazard = hazard_register(
        actor=city.inspector_a,
        target=city.enterprise_a,
        source="registry",
        rule_id="reg_unlicensed_role",
        description="无燃气经营许可证",
    )
    assert hazard.severity == "major" and hazard.is_supervised
    assert hazard.lead_department == city.housing_a
    assert hazard.code.startswith("YH440305")
    assert "建城规" in hazard.legal_basis
    assert audit_verify().ok


@pytest.mark.django_db
def test_register_without_rule_requires_category_and_lead(city):
    with pytest.raises(ValidationFailed) as exc:
        hazard_register(actor=None, target=city.premises_a, source="manual", description="软管老化")
    assert {"title", "category", "lead_department_kind"} <= set(exc.value.errors)


@pytest.mark.django_db
def test_register_with_unknown_rule_is_refused(city):
    with pytest.raises(ValidationFailed) as exc:
        hazard_register(actor=None, target=city.premises_a, source="manual", description="x", rule_id="nope")
    assert "rule_id" in exc.value.errors
