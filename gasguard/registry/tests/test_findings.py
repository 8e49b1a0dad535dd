import datetime

import pytest
from django.test import override_settings

from gasguard.registry.findings import enterprise_findings
from gasguard.registry.tests.factories import (
    CertificateFactory,
    EnterpriseRoleFactory,
    LicenceFactory,
    StaffFactory,
)
from gasguard.rules.catalog import get_rule

TODAY = datetime.date(2026, 11, 28)


def _ids(enterprise):
    return [f.rule_id for f in enterprise_findings(enterprise=enterprise, on=TODAY)]


@pytest.mark.django_db
def test_role_without_licence_is_a_major_finding(city):
    ids = _ids(city.enterprise_a)  # bottled_lpg, no licence
    assert "reg_unlicensed_role" in ids
    for rule_id in ids:
        assert get_rule(rule_id) is not None, f"finding {rule_id} has no catalogue rule"


@pytest.mark.django_db
def test_expired_and_revoked_licences_are_lapsed(city):
    LicenceFactory(
        enterprise=city.enterprise_a, valid_from=datetime.date(2020, 1, 1), valid_to=datetime.date(2025, 1, 1)
    )
    assert "reg_licence_lapsed" in _ids(city.enterprise_a)
    LicenceFactory(enterprise=city.enterprise_b, status="revoked")
    findings = enterprise_findings(enterprise=city.enterprise_b, on=TODAY)
    assert any(f.rule_id == "reg_licence_lapsed" and "吊销" in f.detail for f in findings)


@pytest.mark.django_db
def test_valid_licence_and_assessed_staff_give_no_findings(city):
    LicenceFactory(enterprise=city.enterprise_a)
    for post in ("principal", "safety_manager"):
        CertificateFactory(staff=StaffFactory(enterprise=city.enterprise_a, post=post))
    assert _ids(city.enterprise_a) == []


@pytest.mark.django_db
def test_unassessed_principal_and_too_few_managers(city):
    LicenceFactory(enterprise=city.enterprise_a)
    principal = StaffFactory(enterprise=city.enterprise_a, post="principal")
    CertificateFactory(staff=principal, passed=False)
    ids = _ids(city.enterprise_a)
    assert "reg_principal_unassessed" in ids and "reg_too_few_safety_managers" in ids


@pytest.mark.django_db
@override_settings(GASGUARD_MIN_SAFETY_MANAGERS=2)
def test_required_number_of_safety_managers_is_configurable(city):
    LicenceFactory(enterprise=city.enterprise_a)
    CertificateFactory(staff=StaffFactory(enterprise=city.enterprise_a, post="principal"))
    CertificateFactory(staff=StaffFactory(enterprise=city.enterprise_a, post="safety_manager"))
    assert "reg_too_few_safety_managers" in _ids(city.enterprise_a)


@pytest.mark.django_db
def test_filling_operator_without_certificate(city):
    EnterpriseRoleFactory(enterprise=city.enterprise_a, role="cylinder_filling")
    StaffFactory(enterprise=city.enterprise_a, post="se_operator")
    assert "reg_filling_operator_uncertified" in _ids(city.enterprise_a)
