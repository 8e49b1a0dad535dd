"""The catalogue pages: list with filters, detail with legal basis, Excel export."""

import io

import openpyxl
import pytest
from django.urls import reverse

from gasguard.rules.catalog import get_catalog

pytestmark = pytest.mark.django_db


def test_rule_pages_require_login(client):
    for url in (reverse("rules:rule_list"), reverse("rules:rule_detail", args=["rest_hose_over_2m"])):
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"]


def test_list_shows_version_status_and_filters(city, login, django_assert_max_num_queries):
    client = login(city.inspector_a)
    with django_assert_max_num_queries(6):
        response = client.get(reverse("rules:rule_list"))
    html = response.content.decode()
    assert response.status_code == 200
    assert get_catalog().version in html and "默认值" in html and "C-sec" in html
    response = client.get(
        reverse("rules:rule_list"), {"target_type": "restaurant", "category": "hose", "severity": "general"}
    )
    rules = list(response.context["page_obj"].object_list)
    assert rules and all(r.category == "hose" and "restaurant" in r.targets for r in rules)
    assert any(r.id == "rest_hose_over_2m" for r in rules)
    response = client.get(reverse("rules:rule_list"), {"lead": "commerce"})
    assert {r.lead for r in response.context["page_obj"].object_list} == {"commerce"}
    response = client.get(reverse("rules:rule_list"), {"q": "三通"})
    assert "rest_hose_tee" in {r.id for r in response.context["page_obj"].object_list}


def test_unknown_filter_value_is_reported_not_crashing(city, login):
    response = login(city.inspector_a).get(reverse("rules:rule_list"), {"severity": "huge"})
    assert response.status_code == 200
    assert "未知取值" in response.content.decode()


def test_detail_shows_legal_basis_and_condition(city, login):
    response = login(city.market_inspector_a).get(reverse("rules:rule_detail", args=["rest_hose_over_2m"]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "GB 55009-2021" in html and "二(四)2" in html and "&gt; 2 m" in html
    assert login(city.leader).get(reverse("rules:rule_detail", args=["no_such_rule"])).status_code == 404


def test_export_is_an_excel_of_the_filtered_rules(city, login):
    response = login(city.inspector_a).get(reverse("rules:rule_export"), {"severity": "major"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert get_catalog().version in sheet["A1"].value
    assert sheet["A2"].value == "规则编号"
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    major = [r for r in get_catalog().rules.values() if r.severity == "major"]
    assert len(rows) == len(major) and {row[6] for row in rows} == {"重大隐患"}
