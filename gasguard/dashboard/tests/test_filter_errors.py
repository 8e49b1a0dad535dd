"""The dashboard page's ?interval= (趋势粒度) takes month or week: any other value is shown next to the
field and no trend is drawn, instead of silently becoming month."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("value", ["bogus", "day", "Week"])
def test_unknown_interval_shows_error_next_to_the_field_and_no_trend(city, login, value):
    response = login(city.inspector_a).get("/dashboard/", {"interval": value})
    assert response.status_code == 200
    assert list(response.context["filter_errors"]) == ["interval"]
    html = response.content.decode()
    interval_cell = html.split('id="f-int"', 1)[1].split("</div>", 1)[0]
    assert 'data-testid="filter-error"' in interval_cell
    assert f"趋势粒度的值“{value}”无效，可选值：month（按月）、week（按周）" in interval_cell
    assert 'data-testid="trend-invalid"' in html and 'data-chart="trend"' not in html
    assert response.context["charts"]["trend"]["buckets"] == []


@pytest.mark.parametrize(("value", "interval"), [("week", "week"), ("month", "month"), ("", "month")])
def test_valid_interval_draws_the_trend(city, login, value, interval):
    response = login(city.inspector_a).get("/dashboard/", {"interval": value})
    assert response.status_code == 200 and response.context["interval"] == interval
    html = response.content.decode()
    assert 'data-testid="filter-error"' not in html and 'data-chart="trend"' in html
    assert response.context["charts"]["trend"]["buckets"]


def test_bad_interval_and_bad_date_show_both_errors(city, login):
    response = login(city.inspector_a).get("/dashboard/", {"interval": "x", "from": "2024-02-30"})
    assert response.status_code == 200
    assert "from" in response.context["error"] and "interval" in response.context["filter_errors"]
