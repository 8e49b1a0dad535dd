"""A WSGI fast path for the pre-fill gate's token-authenticated scans (config/wsgi.py).

Filling scales scan all day; a city's stations send thousands of gate requests a second at peak.
Measured on the 2-core reference machine, Django's full middleware chain and URL resolution
cost more CPU per request than the gate's decision itself (docs/cylinders.md § 性能). A scan
from a terminal needs none of it: no session, no CSRF (token auth), no locale negotiation, no
messages, no redirects.

So `POST /api/cylinders/gate/` with an `Authorization: Token …` header goes straight to the
same view (api/gate.py `gate`) wrapped only in the middleware that sets response headers
(SecurityMiddleware, SecurityHeadersMiddleware, XFrameOptionsMiddleware — the headers every
other response carries), with the host checked against ALLOWED_HOSTS, Django's request
started/finished signals (database connections are managed exactly as for any request) and
Django's own exception-to-response conversion (errors are logged and answered like any other).
Everything else — including the gate page's session-authenticated calls, which need CSRF —
goes to the full Django application unchanged.
"""

from django.conf import settings
from django.core import signals
from django.core.handlers.exception import convert_exception_to_response
from django.core.handlers.wsgi import WSGIHandler, WSGIRequest
from django.utils.module_loading import import_string

from gasguard.cylinders.api.gate import gate

GATE_PATH = "/api/cylinders/gate/"
# The response-header middleware kept on the fast path, outermost first (in settings order).
HEADER_MIDDLEWARE = (
    "django.middleware.security.SecurityMiddleware",
    "gasguard.core.middleware.SecurityHeadersMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
)


def _view(request):
    request.get_host()  # ALLOWED_HOSTS, as CommonMiddleware checks it: DisallowedHost → 400
    return gate(request)


def is_fast(environ) -> bool:
    return (
        environ.get("PATH_INFO") == GATE_PATH
        and environ.get("REQUEST_METHOD") == "POST"
        and environ.get("HTTP_AUTHORIZATION", "")[:6].lower() == "token "
    )


class GateFastPath:
    """WSGI application: token-authenticated gate scans on the short path, the rest to Django."""

    def __init__(self, application):
        self.application = application
        handler = convert_exception_to_response(_view)
        for path in reversed([m for m in settings.MIDDLEWARE if m in HEADER_MIDDLEWARE]):
            handler = convert_exception_to_response(import_string(path)(handler))
        self.handler = handler

    def __call__(self, environ, start_response):
        if not is_fast(environ):
            return self.application(environ, start_response)
        signals.request_started.send(sender=WSGIHandler, environ=environ)
        request = WSGIRequest(environ)
        response = self.handler(request)
        # Closing the response sends request_finished (connections closed or kept as configured).
        response._handler_class = WSGIHandler
        start_response(
            f"{response.status_code} {response.reason_phrase}",
            [*response.items(), *(("Set-Cookie", c.output(header="")) for c in response.cookies.values())],
        )
        return response
