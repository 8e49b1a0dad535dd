"""Property-based and concurrency tests of the closed loop.

Random action sequences by random personas never reach an invalid state: every status change
follows the transition map, and every closed hazard has evidence and a verifier who is not the
rectifier. Two users acting at once: exactly one wins, the other gets Conflict.
"""

import datetime
import threading

import pytest
from django.db import connection, connections
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gasguard.audit.services import audit_verify
from gasguard.core.errors import Conflict, DomainError
from gasguard.hazards import rollup, services
from gasguard.hazards.choices import TRANSITIONS, HazardStatusChoices
from gasguard.hazards.models import Hazard, HazardEvidence, HazardHistory
from gasguard.hazards.tests.factories import make_hazard, png_upload

S = HazardStatusChoices
ACTORS = ["inspector_a", "supervisor_a", "enterprise_user_a", "taskforce_admin", "leader", "inspector_b"]
ACTIONS = [
    "start",
    "control_request",
    "control_approve",
    "control_reject",
    "submit",
    "submit_no_evidence",
    "verify_pass",
    "verify_fail",
    "close_on_spot",
    "close_on_spot_no_evidence",
]
EDGES = {(f, to) for _, (froms, to) in TRANSITIONS.items() for f in froms}


def act(city, hazard_id, action, actor_name):
    actor = getattr(city, actor_name)
    later = timezone.localdate() + datetime.timedelta(days=15)
    if action == "start":
        services.hazard_start(actor=actor, hazard_id=hazard_id)
    elif action == "control_request":
        services.hazard_control_request(
            actor=actor, hazard_id=hazard_id, measures="关阀停用", new_deadline=later
        )
    elif action == "control_approve":
        services.hazard_control_approve(actor=actor, hazard_id=hazard_id)
    elif action == "control_reject":
        services.hazard_control_reject(actor=actor, hazard_id=hazard_id, reason="不同意")
    elif action == "submit":
        services.hazard_submit_rectification(
            actor=actor, hazard_id=hazard_id, measures="已整改", evidence_files=[png_upload()]
        )
    elif action == "submit_no_evidence":
        services.hazard_submit_rectification(actor=actor, hazard_id=hazard_id, measures="已整改")
    elif action == "verify_pass":
        services.hazard_verify(actor=actor, hazard_id=hazard_id, passed=True)
    elif action == "verify_fail":
        services.hazard_verify(actor=actor, hazard_id=hazard_id, passed=False, reason="不合格")
    elif action == "close_on_spot":
        services.hazard_close_on_spot(
            actor=actor, hazard_id=hazard_id, evidence_files=[png_upload()], note=""
        )
    elif action == "close_on_spot_no_evidence":
        services.hazard_close_on_spot(actor=actor, hazard_id=hazard_id, evidence_files=[], note="")


def check_invariants(hazard_id):
    h = Hazard.objects.get(pk=hazard_id)
    assert h.status in S.values
    for row in HazardHistory.objects.filter(hazard_id=hazard_id).exclude(action="register"):
        if row.from_status != row.to_status:
            assert (row.from_status, row.to_status) in EDGES, (row.action, row.from_status, row.to_status)
    assert h.evidence_count == HazardEvidence.objects.filter(hazard_id=hazard_id).count()
    if h.status == S.CLOSED:
        assert h.evidence_count > 0
        assert h.verified_by_id is not None and h.closed_at is not None
        assert h.verified_by_id != h.rectified_by_id
    if h.status == S.AWAITING_VERIFICATION:
        assert h.rectified_by_id is not None and h.evidence_count > 0


@pytest.mark.django_db
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(st.tuples(st.sampled_from(ACTIONS), st.sampled_from(ACTORS)), min_size=1, max_size=12))
def test_random_action_sequences_never_reach_an_invalid_state(city, steps):
    hazard = make_hazard(city.inspector_a, city.premises_a)
    for action, actor_name in steps:
        try:
            act(city, hazard.pk, action, actor_name)
        except DomainError:
            pass
        check_invariants(hazard.pk)
    assert audit_verify().ok
    assert rollup.check() == []  # the count cube followed every change (PostgreSQL)


@pytest.mark.django_db(transaction=True)
def test_two_users_verifying_at_once_exactly_one_wins(city):
    """Two supervisors act on one hazard at the same moment in separate connections."""
    from gasguard.accounts.tests.factories import MembershipFactory, UserFactory

    second = UserFactory(username="supervisor_a2")
    MembershipFactory(user=second, role="supervisor", department=city.housing_a)
    hazard = make_hazard(city.inspector_a, city.premises_a)
    services.hazard_submit_rectification(
        actor=city.enterprise_user_a, hazard_id=hazard.pk, measures="已整改", evidence_files=[png_upload()]
    )
    if connection.vendor != "postgresql":
        # SQLite serialises writers; still check that the loser gets Conflict, sequentially.
        services.hazard_verify(actor=city.supervisor_a, hazard_id=hazard.pk, passed=True)
        with pytest.raises(Conflict):
            services.hazard_verify(actor=second, hazard_id=hazard.pk, passed=False, reason="不合格")
        assert audit_verify().ok
        return
    barrier = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def worker(name, user, passed):
        try:
            barrier.wait(timeout=10)
            services.hazard_verify(actor=user, hazard_id=hazard.pk, passed=passed, reason="并发验收")
            outcomes[name] = "ok"
        except Conflict as exc:
            outcomes[name] = exc
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            outcomes[name] = exc
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=worker, args=("a", city.supervisor_a, True)),
        threading.Thread(target=worker, args=("b", second, False)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    wins = [k for k, v in outcomes.items() if v == "ok"]
    conflicts = [v for v in outcomes.values() if isinstance(v, Conflict)]
    assert len(wins) == 1 and len(conflicts) == 1, outcomes
    assert conflicts[0].message == "该隐患已被他人处理，请刷新后重试" or "不能执行" in conflicts[0].message
    hazard.refresh_from_db()
    assert hazard.status in (S.CLOSED, S.RECTIFYING)
    assert audit_verify().ok


@pytest.mark.django_db(transaction=True)
def test_many_concurrent_starts_one_winner(city):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL for real concurrent connections")
    hazard = make_hazard(city.inspector_a, city.premises_a)
    users = [city.inspector_a, city.supervisor_a, city.enterprise_user_a, city.taskforce_admin]
    barrier = threading.Barrier(len(users))
    results = []
    lock = threading.Lock()

    def worker(user):
        try:
            barrier.wait(timeout=10)
            services.hazard_start(actor=user, hazard_id=hazard.pk)
            outcome = "ok"
        except Conflict:
            outcome = "conflict"
        except Exception as exc:  # noqa: BLE001
            outcome = repr(exc)
        finally:
            connections.close_all()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=worker, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(results) == ["conflict"] * (len(users) - 1) + ["ok"], results
    assert HazardHistory.objects.filter(hazard=hazard, action="start").count() == 1
    assert audit_verify().ok
