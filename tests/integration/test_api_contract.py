"""The API as documented: every GET list path of the OpenAPI schema, as the task force and the
read-only leader, answers 200 JSON in the documented shape (paginated {count, results}, or the
documented array / object), and errors use the one envelope {"error": {code, message, fields}}.
"""

import json

import pytest

PAGINATED = {"count", "results"}


@pytest.fixture(scope="module")
def schema(demo_city, django_db_blocker):
    with django_db_blocker.unblock():
        response = demo_city.api("taskforce").get("/api/schema/", {"format": "json"})
    assert response.status_code == 200, response.status_code
    body = json.loads(response.content)
    assert body["openapi"].startswith("3.")
    return body


def _resolve(schema, node):
    while isinstance(node, dict) and "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[1]
        node = schema["components"]["schemas"][name]
    return node or {}


def _documented(schema, op) -> str | None:
    """'paginated', 'array', 'object' or None (no JSON 200 response documented)."""
    content = op.get("responses", {}).get("200", {}).get("content", {})
    media = content.get("application/json") or next(iter(content.values()), None)
    if not media or "schema" not in media:
        return None
    node = _resolve(schema, media["schema"])
    if node.get("type") == "array":
        return "array"
    if PAGINATED <= set(node.get("properties", {})):
        return "paginated"
    return "object"


def _list_paths(schema):
    return sorted(
        (path, ops["get"]) for path, ops in schema["paths"].items() if "get" in ops and "{" not in path
    )


def _shape(body) -> str:
    if isinstance(body, list):
        return "array"
    if isinstance(body, dict) and PAGINATED <= set(body):
        return "paginated"
    return "object"


def _envelope_ok(body) -> bool:
    err = body.get("error") if isinstance(body, dict) else None
    return (
        isinstance(err, dict)
        and set(err) == {"code", "message", "fields"}
        and isinstance(err["code"], str)
        and isinstance(err["message"], str)
        and err["message"]
        and isinstance(err["fields"], dict)
    )


# Known defects (strict xfail): app label -> reason.
UNDOCUMENTED: dict[str, str] = {}
NOT_AS_DOCUMENTED: dict[str, str] = {}
# GET paths that need a query parameter answer 400 with the envelope naming it (recorded here).
NEEDS_PARAMETERS = {"/api/cylinders/recall/", "/api/monitoring/readings/"}
KNOWN_FILTER_CRASHES: dict[str, str] = {}


@pytest.mark.parametrize("username", ["taskforce", "leader"])
def test_every_list_path_answers_200_json(demo, schema, username):
    client = demo.api(username)
    bad = {}
    for path, _op in _list_paths(schema):
        response = client.get(path)
        ctype = response.headers.get("Content-Type", "")
        if (
            response.status_code == 400
            and _envelope_ok(response.json())
            and response.json()["error"]["fields"]
        ):
            # A GET that needs a query parameter (e.g. ?target_type=) says which, in the envelope.
            NEEDS_PARAMETERS.add(path)
            continue
        if response.status_code != 200 or "json" not in ctype:
            bad[path] = (response.status_code, ctype, response.content[:200])
    assert not bad, bad


def _apps(schema):
    return sorted({path.split("/")[2] for path, _ in _list_paths(schema)})


APPS = [
    "audit",
    "campaigns",
    "cylinders",
    "dashboard",
    "fleet",
    "hazards",
    "inspections",
    "monitoring",
    "notifications",
    "org",
    "products",
    "registry",
    "rules",
    "tips",
]


@pytest.mark.parametrize(
    "app",
    [
        pytest.param(a, marks=pytest.mark.xfail(strict=True, reason=UNDOCUMENTED[a]))
        if a in UNDOCUMENTED
        else a
        for a in APPS
    ],
)
def test_list_paths_document_their_response(schema, app):
    missing = [
        path
        for path, op in _list_paths(schema)
        if path.split("/")[2] == app and _documented(schema, op) is None
    ]
    assert not missing, f"GET paths without a documented 200 JSON response: {missing}"


@pytest.mark.parametrize(
    "app",
    [
        pytest.param(a, marks=pytest.mark.xfail(strict=True, reason=NOT_AS_DOCUMENTED[a]))
        if a in NOT_AS_DOCUMENTED
        else a
        for a in APPS
    ],
)
def test_list_paths_answer_in_the_documented_shape(demo, schema, app):
    client = demo.api("taskforce")
    bad = {}
    for path, op in _list_paths(schema):
        if path.split("/")[2] != app:
            continue
        documented = _documented(schema, op)
        response = client.get(path)
        if response.status_code != 200 or documented is None:
            continue
        actual = _shape(response.json())
        if actual != documented:
            bad[path] = f"documented {documented}, answers {actual}"
    assert not bad, bad


def test_paginated_lists_reject_a_page_past_the_end_with_the_envelope(demo, schema):
    client = demo.api("taskforce")
    bad = {}
    checked = 0
    for path, op in _list_paths(schema):
        params = {p["name"] for p in op.get("parameters", []) if p.get("in") == "query"}
        if "page" not in params:
            continue
        checked += 1
        response = client.get(path, {"page": 999999})
        if response.status_code != 404 or not _envelope_ok(response.json()):
            bad[path] = (response.status_code, response.content[:200])
    assert checked >= 10
    assert not bad, bad


def _invalid_value(schema, param):
    node = _resolve(schema, param.get("schema", {}))
    if node.get("enum"):
        return "no-such-value-zz"
    if node.get("type") in ("integer", "number"):
        return "not-a-number"
    if node.get("type") == "boolean":
        return "maybe-zz"
    if node.get("format") == "date":
        return "2023-13-45"
    return None


def test_invalid_filter_values_are_refused_with_the_envelope(demo, schema):
    """Typed filters (enum, number, boolean, date) refuse nonsense: 400 + envelope, never 5xx."""
    client = demo.api("taskforce")
    client.raise_request_exception = False  # a crash is recorded as the 500 it would be
    errors, lenient, checked = {}, [], 0
    for path, op in _list_paths(schema):
        for param in op.get("parameters", []):
            if param.get("in") != "query" or param["name"] in ("page", "page_size", "format"):
                continue
            value = _invalid_value(schema, param)
            if value is None:
                continue
            checked += 1
            response = client.get(path, {param["name"]: value})
            key = f"{path}?{param['name']}={value}"
            if response.status_code >= 500:
                errors[key] = response.status_code
            elif response.status_code >= 400:
                try:
                    ok = _envelope_ok(response.json())
                except ValueError:
                    ok = False
                if not ok:
                    errors[key] = (response.status_code, response.content[:200])
            else:
                lenient.append(key)
    if lenient:
        print("\nfilters that accept an invalid value silently:\n" + "\n".join(lenient))
    assert checked >= 10
    assert not {k: v for k, v in errors.items() if k not in KNOWN_FILTER_CRASHES}, errors


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/inspections/tasks/?batch=not-a-number", "batch"),
        ("/api/inspections/tasks/?state=no-such-state", "state"),
        ("/api/inspections/tasks/?mine=maybe", "mine"),
        ("/api/inspections/inspections/?premises=x", "premises"),
        ("/api/inspections/inspections/?date_from=2023-13-45", "date_from"),
        ("/api/hazards/hazards/totals/?department=nope", "department"),
        ("/api/hazards/hazards/?found_from=2023-13-45", "found_from"),
        ("/api/inspections/inspections/?has_hazard=maybe", "has_hazard"),
        ("/api/registry/enterprises/?is_active=maybe", "is_active"),
        ("/api/registry/facilities/?is_active=maybe", "is_active"),
        ("/api/registry/staff/?is_active=maybe", "is_active"),
        ("/api/registry/premises/?gas_lpg=maybe", "gas_lpg"),
        ("/api/registry/premises/?underground=maybe", "underground"),
        ("/api/registry/certificates/?passed=maybe", "passed"),
        ("/api/dashboard/trend/?interval=year", "interval"),
    ],
)
def test_invalid_filter_value_is_400_naming_the_field(demo, url, field):
    client = demo.api("taskforce")
    client.raise_request_exception = False
    response = client.get(url)
    if field is None:  # only "never a crash" for filters whose name is not known here
        assert response.status_code < 500, (url, response.status_code)
        return
    assert response.status_code == 400, (url, response.status_code, response.content[:200])
    body = response.json()
    assert _envelope_ok(body), body
    assert field in body["error"]["fields"], body


def test_unknown_api_object_is_404_with_the_envelope(demo):
    for path in (
        "/api/hazards/hazards/99999999/",
        "/api/registry/premises/99999999/",
        "/api/tips/tips/99999999/",
    ):
        response = demo.api("taskforce").get(path)
        assert response.status_code == 404, path
        assert _envelope_ok(response.json()), (path, response.json())


def test_anonymous_api_is_refused_with_the_envelope(demo, schema):
    bad = {}
    for path, _op in _list_paths(schema):
        response = demo.api(None).get(path)
        if response.status_code not in (401, 403):
            bad[path] = response.status_code
        elif not _envelope_ok(response.json()):
            bad[path] = (response.status_code, response.content[:200])
    assert not bad, bad


# Query parameters the APIs read by hand (not all are in the schema): nonsense must never be a 5xx.
FUZZ_PARAMS = [
    "enterprise", "premises", "facility", "region", "batch", "device", "owner", "maker", "product_model",
    "staff", "supplier", "department", "level", "days", "month", "from", "to", "status", "kind",
    "state", "mine", "overdue", "due", "unread", "all", "two_phase", "bbox", "interval", "year",
    "target_type", "checklist", "code", "metric", "resolution", "ordering", "sort", "q",
]  # fmt: skip


def test_nonsense_query_values_never_crash(demo, schema):
    client = demo.api("taskforce")
    client.raise_request_exception = False
    crashes = {}
    for path, _op in _list_paths(schema):
        for name in FUZZ_PARAMS:
            for value in ("zz-not-valid", "-1", "9" * 30):
                response = client.get(path, {name: value})
                if response.status_code >= 500:
                    crashes[f"{path}?{name}={value}"] = response.status_code
                elif response.status_code >= 400 and not _envelope_ok(response.json()):
                    crashes[f"{path}?{name}={value}"] = (response.status_code, response.content[:120])
    assert not crashes, "\n".join(f"{k} -> {v}" for k, v in crashes.items())
