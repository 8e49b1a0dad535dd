"""Assertions shared by the apps' test_filter_errors.py: a bad filter value is refused, never ignored."""


def assert_api_refuses(response, field: str, *values: str) -> dict:
    """A 400 in the error envelope naming only `field`, whose message names each of `values`."""
    assert response.status_code == 400, response.content[:300]
    error = response.json()["error"]
    assert list(error["fields"]) == [field], error
    for value in values:
        assert value in error["message"], (value, error["message"])
    return error


def assert_page_refuses(response, errors, field: str, *, absent=(), shown=()) -> str:
    """A 200 page whose filter `errors` name `field`, that lists no rows, shows the error (and each
    text of `shown`) and none of the texts of `absent` (rows the unfiltered list would show)."""
    assert response.status_code == 200
    assert field in errors, errors
    assert list(response.context["page_obj"].object_list) == []
    html = response.content.decode()
    assert 'data-testid="filter-error"' in html or 'data-testid="filter-invalid"' in html
    for text in shown:
        assert text in html, text
    for text in absent:
        assert text not in html, text
    return html
