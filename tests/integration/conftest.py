"""Integration-test fixtures: the whole demo city, built once per test session.

`demo_city` builds `gasguard demo --scale 0.05` into the test database (once; it takes tens
of seconds) and returns a handle with the demo users. The data is committed outside the
per-test transactions, so every test sees it and each test's own writes are rolled back.
Integration tests are moved to the end of the run (see `pytest_collection_modifyitems`), so
the demo data never leaks into unit tests that expect an empty database.
"""

from datetime import date
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

DEMO_TODAY = date(2026, 11, 20)
DEMO_SCALE = 0.05

PERSONAS = [
    "admin",
    "taskforce",
    "leader",
    "ns_inspector",
    "ns_supervisor",
    "ns_market",
    "ns_fire",
    "ns_commerce",
    "ba_inspector",
    "ba_supervisor",
    "monitor",
    "ent_gas",
    "ent_restaurant",
    "ent_filling",
    "ent_pipeline",
]


# The other districts' housing inspectors (scope matrix: the "own district" side).
DISTRICT_INSPECTORS = {
    "440303": "lh_inspector",
    "440304": "ft_inspector",
    "440306": "ba_inspector",
    "440307": "lg_inspector",
    "440309": "lhua_inspector",
}


def pytest_collection_modifyitems(session, config, items):
    """Run integration tests last: their session-wide demo city would confuse unit tests."""
    marker = f"{__package__.replace('.', '/')}/"
    tail = [i for i in items if marker in str(i.fspath).replace("\\", "/")]
    if tail and len(tail) != len(items):
        head = [i for i in items if i not in set(tail)]
        items[:] = head + tail


class Demo:
    """Handles to the built demo: users by name, the password, and client factories."""

    def __init__(self, users, password, output):
        self.users = users
        self.password = password
        self.output = output

    def client(self, username: str | None) -> Client:
        c = Client()
        if username is not None:
            c.force_login(self.users[username])
        return c

    def api(self, username: str | None) -> APIClient:
        c = APIClient()
        if username is not None:
            token, _ = Token.objects.get_or_create(user=self.users[username])
            c.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return c


@pytest.fixture(scope="session")
def demo_city(django_db_setup, django_db_blocker):
    from gasguard.accounts.models import User

    out, err = StringIO(), StringIO()
    with django_db_blocker.unblock():
        call_command("demo", scale=DEMO_SCALE, today=DEMO_TODAY, stdout=out, stderr=err)
        users = {
            u.username: u
            for u in User.objects.filter(username__in=[*PERSONAS, *DISTRICT_INSPECTORS.values()])
        }
        for name in users:  # tokens made now are committed, outside any test transaction
            Token.objects.get_or_create(user=users[name])
    demo = Demo(users, settings.GASGUARD_DEMO_PASSWORD, out.getvalue() + err.getvalue())
    demo.warnings = [line for line in err.getvalue().splitlines() if line.strip()]
    yield demo


@pytest.fixture
def demo(demo_city, db):
    """The demo city inside a test transaction (rolled back after the test)."""
    return demo_city


# --- detail links: URL pattern -> (model, lookup field) -----------------------------------------

DETAIL_LINKS = [
    (r"^/registry/premises/(\d+)/", "registry.Premises", "pk"),
    (r"^/registry/enterprises/(\d+)/", "registry.Enterprise", "pk"),
    (r"^/registry/facilities/(\d+)/", "registry.Facility", "pk"),
    (r"^/hazards/(\d+)/", "hazards.Hazard", "pk"),
    (r"^/inspections/(\d+)/", "inspections.Inspection", "pk"),
    (r"^/inspections/batches/(\d+)/", "inspections.InspectionBatch", "pk"),
    (r"^/inspections/timeline/premises/(\d+)/", "registry.Premises", "pk"),
    (r"^/inspections/timeline/enterprise/(\d+)/", "registry.Enterprise", "pk"),
    (r"^/tips/(\d+)/", "tips.Tip", "pk"),
    (r"^/monitoring/devices/(\d+)/", "monitoring.Device", "pk"),
    (r"^/monitoring/alarms/(\d+)/", "monitoring.Alarm", "pk"),
    (r"^/cylinders/c/([^/]+)/", "cylinders.Cylinder", "code"),
    (r"^/cylinders/premises/(\d+)/", "registry.Premises", "pk"),
    (r"^/cylinders/deliveries/(\d+)/", "cylinders.Delivery", "pk"),
    (r"^/campaigns/reports/(\d+)/", "campaigns.MonthlyReport", "pk"),
    (r"^/campaigns/accidents/(\d+)/", "campaigns.Accident", "pk"),
]

# Fields naming the enterprise(s) an object belongs to, for enterprise users' scope.
ENTERPRISE_FIELDS = {
    "registry.Premises": ("enterprise_id",),
    "registry.Enterprise": ("id",),
    "registry.Facility": ("enterprise_id",),
    "hazards.Hazard": ("enterprise_id", "premises__enterprise_id"),
    "inspections.Inspection": ("enterprise_id", "premises__enterprise_id"),
    "inspections.InspectionBatch": (),
    "tips.Tip": ("enterprise_id", "premises__enterprise_id"),
    "monitoring.Device": ("enterprise_id", "premises__enterprise_id"),
    "monitoring.Alarm": ("enterprise_id",),
    "cylinders.Cylinder": ("owner_id",),
    "cylinders.Delivery": ("enterprise_id", "premises__enterprise_id"),
    "campaigns.MonthlyReport": (),
    "campaigns.Accident": ("enterprise_id", "premises__enterprise_id"),
}


def detail_target(path: str):
    """(model label, lookup, value) for a detail-page path, or None."""
    import re

    for pattern, label, lookup in DETAIL_LINKS:
        m = re.match(pattern, path)
        if m:
            return label, lookup, m.group(1)
    return None


# Regions besides its own where an object is also readable by departments (a cylinder delivered
# to premises or filled at a station there: gasguard.cylinders.selectors.cylinder_get).
ALSO_READABLE_IN = {
    "cylinders.Cylinder": ("delivery_items__delivery__region_code", "fills__region_code"),
}


def object_owner(label: str, lookup: str, value: str):
    """({region codes}, {enterprise ids}) of the object a detail link points at, or None if gone:
    its own region first, then the regions it is also readable in."""
    from django.apps import apps

    model = apps.get_model(label)
    fields = ["region_code", *ENTERPRISE_FIELDS.get(label, ())]
    row = model.objects.filter(**{lookup: value}).values(*fields).first()
    if row is None:
        return None
    regions = [row["region_code"]]
    for path in ALSO_READABLE_IN.get(label, ()):
        found = model.objects.filter(**{lookup: value}).values_list(path, flat=True)
        regions += sorted({r for r in found if r})
    return regions, {row[f] for f in fields[1:] if row[f] is not None}


def audit_heads() -> dict:
    from gasguard.audit.models import AuditChain

    return dict(AuditChain.objects.values_list("name", "head_seq"))


def region_prefix(username: str) -> str | None:
    """The region a government persona is limited to (None: whole city or enterprise)."""
    if username.startswith("ns_"):
        return "440305"
    if username.startswith("ba_"):
        return "440306"
    if username in ("taskforce", "leader", "monitor"):
        return "4403"
    return None


def enterprise_ids(username: str, demo) -> set[int]:
    from gasguard.accounts.models import Membership

    return set(
        Membership.objects.filter(user=demo.users[username], enterprise__isnull=False).values_list(
            "enterprise_id", flat=True
        )
    )
