"""?page= and ?page_size= on every API list: a bad value is a 400 naming the parameter."""

import pytest

pytestmark = pytest.mark.django_db

# One list per pagination class: plain (org regions, cylinders' function views) and capped-count (hazards).
LISTS = ("/api/org/regions/", "/api/cylinders/cylinders/", "/api/hazards/hazards/")


@pytest.mark.parametrize("url", LISTS)
@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"page": "-1"}, "page"),
        ({"page": "0"}, "page"),
        ({"page": "abc"}, "page"),
        ({"page": "1.5"}, "page"),
        ({"page_size": "-5"}, "page_size"),
        ({"page_size": "0"}, "page_size"),
        ({"page_size": "abc"}, "page_size"),
        ({"page_size": "100000"}, "page_size"),
        ({"page_size": "9" * 40}, "page_size"),
    ],
)
def test_bad_page_parameters_are_a_400_naming_them(city, api, url, params, field):
    response = api(city.taskforce_admin).get(url, params)
    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["fields"]


@pytest.mark.parametrize("url", LISTS)
def test_good_page_parameters_still_page(city, api, url):
    client = api(city.taskforce_admin)
    body = client.get(url, {"page_size": "1", "page": "1"}).json()
    assert len(body["results"]) <= 1
    assert client.get(url, {"page_size": " 500 "}).status_code == 200
    assert client.get(url, {"page": "last"}).status_code == 200
    assert client.get(url, {"page": "", "page_size": ""}).status_code == 200


def test_page_past_the_end_is_a_404_naming_page(city, api):
    response = api(city.taskforce_admin).get("/api/org/regions/", {"page": "999999"})
    assert response.status_code == 404
    assert "page" in response.json()["error"]["fields"]
