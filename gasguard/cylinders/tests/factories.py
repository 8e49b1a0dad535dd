"""Factories and a ready-made filling unit for 一瓶一码 tests."""

import datetime
import itertools

from django.utils import timezone

from gasguard.accounts.tests.factories import MembershipFactory, UserFactory
from gasguard.cylinders.codes import make_code
from gasguard.cylinders.models import Cylinder
from gasguard.registry.models import Facility
from gasguard.registry.tests.factories import (
    CertificateFactory,
    EnterpriseFactory,
    EnterpriseRoleFactory,
    LicenceFactory,
    StaffFactory,
)

_seq = itertools.count(1)


class FillingUnit:
    """A filling unit (充装单位) with a station, a valid licence, a certified operator and a user."""


def filling_unit(region, *, name=None, licence=True, certified=True, username=None):
    n = next(_seq)
    u = FillingUnit()
    u.enterprise = EnterpriseFactory(region=region, name=name or f"充装公司{n}")
    EnterpriseRoleFactory(enterprise=u.enterprise, role="cylinder_filling")
    u.enterprise.service_region_codes = [region.code[:6]]
    u.enterprise.save(update_fields=["service_region_codes"])
    if licence:
        u.licence = LicenceFactory(enterprise=u.enterprise, kind="cylinder_filling", issuing_level="province")
    u.station = Facility.objects.create(
        kind="filling_station",
        name=f"{u.enterprise.name}一站",
        enterprise=u.enterprise,
        region=region,
        region_code=region.code,
    )
    u.operator = StaffFactory(enterprise=u.enterprise, post="se_operator", name=f"充装工{n}")
    if certified:
        CertificateFactory(staff=u.operator, kind="se_operator")
    u.user = UserFactory(username=username or f"filler{n}", real_name=f"充装用户{n}")
    MembershipFactory(user=u.user, role="enterprise", enterprise=u.enterprise)
    return u


def cylinder(owner, **kw) -> Cylinder:
    today = timezone.localdate()
    made = kw.pop("manufactured_on", today - datetime.timedelta(days=365 * 2))
    defaults = dict(
        code=make_code(owner.region_code),
        serial=f"S{next(_seq):06d}",
        spec="YSP35.5",
        manufactured_on=made,
        design_life_years=8,
        next_inspection_due=made.replace(year=made.year + 4),
        owner=owner,
        region_code=owner.region_code,
    )
    defaults.update(kw)
    return Cylinder.objects.create(**defaults)


def inspection_body(region, name="深圳市特种设备检验所"):
    body = EnterpriseFactory(region=region, name=name)
    EnterpriseRoleFactory(enterprise=body, role="inspection_body")
    return body


def gate_body(unit, code, **kw) -> dict:
    """A pre-fill gate request body for `unit`'s station and operator (a fresh idempotency key)."""
    import uuid

    return {
        "code": code,
        "station": unit.station.pk,
        "operator": unit.operator.pk,
        "idempotency_key": uuid.uuid4().hex,
        "scanned_at": timezone.now().isoformat(),
        **kw,
    }


def api_error(response, status: int = 400) -> dict:
    """The error envelope's body of an API response, asserting the status and the envelope shape."""
    assert response.status_code == status, (response.status_code, response.content[:300])
    data = response.json()
    assert set(data) == {"error"}, data
    return data["error"]


def post_json_raw(client, path: str, body: str):
    """POST a JSON text as written, lone surrogates included (which the test client cannot encode)."""
    return client.generic("POST", path, body.encode("utf-8", "surrogatepass"), "application/json")
