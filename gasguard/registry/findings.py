"""Registry-derived findings: what the registry alone shows is wrong with an enterprise.

Each finding names a rule id of the catalogue (gasguard/rules/catalog/registry.yaml), so the
ledger can register it like any inspection finding.
"""

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.utils import timezone

from gasguard.registry.choices import (
    ROLE_REQUIRED_LICENCE,
    ROLES_NEEDING_SAFETY_STAFF,
    CertificateKindChoices,
    EnterpriseRoleChoices,
    LicenceKindChoices,
    LicenceStatusChoices,
    StaffPostChoices,
)


@dataclass(frozen=True)
class RegistryFinding:
    """One problem with its catalogue rule id and a Chinese description."""

    rule_id: str
    title: str
    detail: str
    severity: str  # "major" | "general"


def enterprise_findings(*, enterprise, on: date | None = None) -> list[RegistryFinding]:
    """Findings for one enterprise; prefetching roles, licences and staff certificates avoids N+1."""
    today = on or timezone.localdate()
    findings: list[RegistryFinding] = []
    roles = {r.role for r in enterprise.roles.all()}
    licences = list(enterprise.licences.all())

    for role in sorted(roles):
        kind = ROLE_REQUIRED_LICENCE.get(role)
        if not kind:
            continue
        of_kind = [lic for lic in licences if lic.kind == kind]
        role_label = EnterpriseRoleChoices(role).label
        kind_label = LicenceKindChoices(kind).label
        if not of_kind:
            findings.append(
                RegistryFinding(
                    "reg_unlicensed_role",
                    f"从事{role_label}但无{kind_label}",
                    f"未登记{kind_label}",
                    "major",
                )
            )
        elif not any(lic.is_valid_on(today) for lic in of_kind):
            latest = max(of_kind, key=lambda lic: lic.valid_to)
            if latest.status != LicenceStatusChoices.VALID:
                why = f"已{latest.get_status_display()}"
            else:
                why = f"已于{latest.valid_to:%Y-%m-%d}过期"
            findings.append(
                RegistryFinding(
                    "reg_licence_lapsed",
                    f"{kind_label}失效",
                    f"{kind_label}（{latest.number}）{why}，仍登记为{role_label}",
                    "major",
                )
            )

    if roles.intersection(ROLES_NEEDING_SAFETY_STAFF):
        staff = [s for s in enterprise.staff.all() if s.is_active]

        def assessed(person) -> bool:
            return any(
                c.kind == CertificateKindChoices.SAFETY_ASSESSMENT and c.is_valid_on(today)
                for c in person.certificates.all()
            )

        principals = [s for s in staff if s.post == StaffPostChoices.PRINCIPAL]
        managers = [s for s in staff if s.post == StaffPostChoices.SAFETY_MANAGER]
        for person in principals:
            if not assessed(person):
                findings.append(
                    RegistryFinding(
                        "reg_principal_unassessed",
                        "主要负责人未经考核合格",
                        f"主要负责人{person.name}无有效的安全生产知识和管理能力考核合格证明",
                        "general",
                    )
                )
        for person in managers:
            if not assessed(person):
                findings.append(
                    RegistryFinding(
                        "reg_safety_manager_unassessed",
                        "安全生产管理人员未经考核合格",
                        f"安全生产管理人员{person.name}无有效的考核合格证明",
                        "general",
                    )
                )
        required = settings.GASGUARD_MIN_SAFETY_MANAGERS
        if len(managers) < required:
            findings.append(
                RegistryFinding(
                    "reg_too_few_safety_managers",
                    "安全生产管理人员配备不足",
                    f"登记安全生产管理人员{len(managers)}名，少于要求的{required}名",
                    "general",
                )
            )

    if EnterpriseRoleChoices.CYLINDER_FILLING in roles:
        for person in enterprise.staff.all():
            if person.is_active and person.post == StaffPostChoices.SE_OPERATOR:
                if not any(
                    c.kind == CertificateKindChoices.SE_OPERATOR and c.is_valid_on(today)
                    for c in person.certificates.all()
                ):
                    findings.append(
                        RegistryFinding(
                            "reg_filling_operator_uncertified",
                            "充装作业人员无有效特种设备作业人员证",
                            f"充装作业人员{person.name}无有效的特种设备作业人员证",
                            "major",
                        )
                    )
    return findings


def enterprise_prefetch(queryset):
    """The prefetches `enterprise_findings` needs, for list pages that show findings."""
    return queryset.prefetch_related("roles", "licences", "staff__certificates")
