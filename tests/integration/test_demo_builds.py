"""The demo city builds completely: every app's builder ran without a warning."""

from gasguard.core.demo import demo_builders

from .conftest import PERSONAS


def test_every_builder_ran_without_warning(demo):
    labels = [label for label, _ in demo_builders()]
    missing = [label for label in labels if f"[{label}]" not in demo.output]
    assert not demo.warnings, demo.warnings
    assert not missing, f"builders that did not report: {missing}\n{demo.output}"


def test_every_persona_exists_and_can_sign_in_with_the_demo_password(demo):
    from django.test import Client

    assert set(PERSONAS) <= set(demo.users), set(PERSONAS) - set(demo.users)
    c = Client()
    assert c.login(username="ns_inspector", password=demo.password)
