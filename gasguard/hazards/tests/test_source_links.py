import pytest

from gasguard.hazards.services import hazard_register
from gasguard.hazards.templatetags.hazard_links import source_url


@pytest.mark.django_db
def test_hazard_detail_links_to_its_source(city, login):
    hazard = hazard_register(
        actor=city.inspector_a,
        target=city.premises_a,
        source="report",
        source_ref="tip:42",
        rule_id="rest_hose_over_2m",
        description="软管过长",
    )
    assert source_url(hazard) == "/tips/42/"
    hazard.source_ref = "import:row7"
    assert source_url(hazard) == ""
    body = login(city.inspector_a).get(f"/hazards/{hazard.pk}/").content.decode()
    assert 'href="/tips/42/"' in body
