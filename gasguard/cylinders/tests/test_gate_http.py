"""The gate's HTTP contract (a plain Django view, api/gate.py): authentication, CSRF for the
session, method and body errors in the one envelope, the OpenAPI entry, and a station that was
deactivated in the registry."""

import json

import pytest
from django.test import Client

from gasguard.cylinders.models import FillAttempt
from gasguard.cylinders.tests.factories import cylinder
from gasguard.cylinders.tests.factories import gate_body as body

pytestmark = pytest.mark.django_db
URL = "/api/cylinders/gate/"


def envelope(response) -> dict:
    data = response.json()
    assert set(data) == {"error"} and set(data["error"]) == {"code", "message", "fields"}, data
    assert data["error"]["message"]
    return data["error"]


def test_token_json_and_form_bodies_give_the_same_decision(unit, api):
    c = cylinder(unit.enterprise)
    client = api(unit.user)
    as_json = client.post(URL, body(unit, c.code), format="json")
    as_form = client.post(URL, body(unit, c.code))  # multipart form
    assert as_json.status_code == as_form.status_code == 200
    assert as_json.json()["decision"] == as_form.json()["decision"] == "allow"
    assert as_json["Content-Type"] == "application/json"


def test_anonymous_and_bad_tokens_are_401_with_the_scheme(unit):
    c = cylinder(unit.enterprise)
    for headers in ({}, {"HTTP_AUTHORIZATION": "Token nope"}, {"HTTP_AUTHORIZATION": "Token"}):
        r = Client().post(URL, json.dumps(body(unit, c.code)), content_type="application/json", **headers)
        assert r.status_code == 401, headers
        assert r["WWW-Authenticate"] == "Token"
        assert envelope(r)["code"] in ("not_authenticated", "authentication_failed")
    assert FillAttempt.objects.count() == 0


def test_session_needs_the_csrf_token(unit):
    c = cylinder(unit.enterprise)
    client = Client(enforce_csrf_checks=True)
    client.force_login(unit.user)
    payload = json.dumps(body(unit, c.code))
    r = client.post(URL, payload, content_type="application/json")
    assert r.status_code == 403 and "CSRF" in envelope(r)["message"]
    client.get("/cylinders/gate/")  # the gate page sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    r = client.post(URL, payload, content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert r.status_code == 200 and r.json()["decision"] == "allow"


def test_method_media_type_and_malformed_json(unit, api):
    client = api(unit.user)
    r = client.get(URL)
    assert r.status_code == 405 and r["Allow"] == "POST"
    envelope(r)
    r = client.post(URL, "code=x", content_type="text/plain")
    assert r.status_code == 415 and envelope(r)["code"] == "unsupported_media_type"
    for raw in ("{not json", "[1, 2]", '"just a string"', "\xff"):
        r = client.post(URL, raw, content_type="application/json")
        assert r.status_code == 400 and envelope(r)["code"] == "parse_error", raw
    assert FillAttempt.objects.count() == 0


def test_missing_fields_are_named(unit, api):
    client = api(unit.user)
    r = client.post(URL, {}, format="json")
    assert r.status_code == 400 and "station" in envelope(r)["fields"]
    c = cylinder(unit.enterprise)
    r = client.post(URL, body(unit, c.code, idempotency_key="short"), format="json")
    assert r.status_code == 400 and "idempotency_key" in envelope(r)["fields"]
    r = client.post(URL, body(unit, c.code, scanned_at="yesterday"), format="json")
    assert r.status_code == 400 and "scanned_at" in envelope(r)["fields"]


def test_deactivated_station_is_denied_and_recorded(unit, api, django_capture_on_commit_callbacks):
    c = cylinder(unit.enterprise)
    client = api(unit.user)
    assert client.post(URL, body(unit, c.code), format="json").json()["decision"] == "allow"
    with django_capture_on_commit_callbacks(execute=True):
        unit.station.is_active = False
        unit.station.save()
    r = client.post(URL, body(unit, c.code), format="json")
    assert r.json()["decision"] == "deny"
    assert {x["code"] for x in r.json()["reasons"]} == {"station_inactive"}
    assert FillAttempt.objects.filter(decision="deny").count() == 1


def test_openapi_documents_the_gate(city, login):
    schema = login(city.taskforce_admin).get("/api/schema/?format=json").json()
    op = schema["paths"]["/api/cylinders/gate/"]["post"]
    ref = op["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert set(schema["components"]["schemas"][ref]["properties"]) == {
        "code",
        "station",
        "operator",
        "idempotency_key",
        "scanned_at",
    }
    assert {"200", "400", "401", "403", "409"} <= set(op["responses"])


# --- the WSGI fast path (config.wsgi → api/fastpath.py) --------------------------------------
# The test client has its own handler, so these call the production WSGI application directly
# (transaction=True: request_started/finished manage the connection as in production).


def wsgi(method, body=b"", *, host="127.0.0.1", **headers):
    import io

    from config.wsgi import application

    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": URL,
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": host,
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": io.StringIO(),
        "wsgi.url_scheme": "http",
        "REMOTE_ADDR": "127.0.0.1",
        **headers,
    }
    started = {}

    def start_response(status, response_headers, exc_info=None):
        started["status"] = int(status.split()[0])
        started["headers"] = dict(response_headers)

    result = application(environ, start_response)
    try:
        content = b"".join(result)
    finally:
        result.close()
    return started["status"], started["headers"], content


def token_of(user):
    from rest_framework.authtoken.models import Token

    return Token.objects.get_or_create(user=user)[0].key


@pytest.mark.django_db(transaction=True)
def test_fast_path_decides_with_the_usual_headers(unit, settings):
    from gasguard.cylinders.api.fastpath import is_fast

    settings.ALLOWED_HOSTS = ["127.0.0.1"]
    c = cylinder(unit.enterprise)
    auth = {"HTTP_AUTHORIZATION": f"Token {token_of(unit.user)}"}
    payload = json.dumps(body(unit, c.code)).encode()
    assert is_fast({"PATH_INFO": URL, "REQUEST_METHOD": "POST", **auth})
    status, headers, content = wsgi("POST", payload, **auth)
    assert status == 200 and json.loads(content)["decision"] == "allow"
    for name in (
        "Content-Security-Policy",
        "X-Frame-Options",
        "X-Content-Type-Options",
        "Referrer-Policy",
        "Cross-Origin-Opener-Policy",
    ):
        assert name in headers, name
    assert FillAttempt.objects.count() == 1
    # The same key again is a replay on the fast path too.
    status, _, content = wsgi("POST", payload, **auth)
    assert status == 200 and json.loads(content)["replayed"] is True
    assert FillAttempt.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_fast_path_errors_match_the_full_stack(unit, settings):
    settings.ALLOWED_HOSTS = ["127.0.0.1"]
    bad = {"HTTP_AUTHORIZATION": "Token not-a-token"}
    status, headers, content = wsgi("POST", b"{}", **bad)
    assert status == 401 and headers["WWW-Authenticate"] == "Token"
    assert json.loads(content)["error"]["code"] == "authentication_failed"
    auth = {"HTTP_AUTHORIZATION": f"Token {token_of(unit.user)}"}
    status, _, content = wsgi("POST", b"{not json", **auth)
    assert status == 400 and json.loads(content)["error"]["code"] == "parse_error"
    # An unknown host is refused before anything is read or written.
    status, _, _ = wsgi("POST", b"{}", host="evil.example", **auth)
    assert status == 400
    # Anything but a token POST takes the full Django stack (same view, same envelope).
    status, headers, content = wsgi("GET", **auth)
    assert status == 405 and headers["Allow"] == "POST"
    status, headers, _ = wsgi("POST", b"{}")
    assert status == 401 and "Vary" in headers  # full stack: LocaleMiddleware was there
    assert FillAttempt.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_fast_path_crash_is_a_logged_500(unit, settings, monkeypatch, caplog):
    from gasguard.cylinders import services

    settings.ALLOWED_HOSTS = ["127.0.0.1"]
    settings.DEBUG = False

    def boom(**kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(services, "cylinder_check_for_filling", boom)
    auth = {"HTTP_AUTHORIZATION": f"Token {token_of(unit.user)}"}
    status, _, _ = wsgi("POST", json.dumps(body(unit, "x")).encode(), **auth)
    assert status == 500
    assert any("disk on fire" in str(r.exc_info[1]) for r in caplog.records if r.exc_info)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("idempotency_key", 1234567890),
        ("idempotency_key", ["a" * 10]),
        ("station", {"id": 1}),
        ("station", [1]),
        ("operator", "one"),
        ("scanned_at", 1700000000),
        ("scanned_at", {"t": 1}),
    ],
)
def test_wrong_json_types_are_400_naming_the_field(unit, api, field, value):
    """What a broken terminal or an attacker sends: never a 500, never a recorded attempt."""
    c = cylinder(unit.enterprise)
    r = api(unit.user).post(URL, body(unit, c.code, **{field: value}), format="json")
    assert r.status_code in (400, 404), r.content
    assert field in envelope(r)["fields"] or r.status_code == 404
    assert FillAttempt.objects.count() == 0


def test_code_of_any_json_type_is_a_recorded_denial(unit, api):
    for value in (12345, ["GG1"], {"a": 1}, None, "x" * 5000):
        r = api(unit.user).post(URL, body(unit, value), format="json")
        assert r.status_code == 200 and r.json()["decision"] == "deny", value
    assert FillAttempt.objects.filter(decision="deny").count() == 5
