"""Security headers Django does not set by itself."""

from django.conf import settings


class SecurityHeadersMiddleware:
    """Adds a Content-Security-Policy and Permissions-Policy to every response.

    Every script and style is served by the app itself (no CDN), so 'self' is enough; map
    tiles come from the configured tile host.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        tile_host = ""
        url = settings.GASGUARD_MAP_TILE_URL
        if url.startswith(("http://", "https://")):
            scheme, rest = url.split("://", 1)
            host = rest.split("/", 1)[0].replace("{s}", "*")
            tile_host = f" {scheme}://{host}"
        self.csp = (
            "default-src 'self'; "
            f"img-src 'self' data: blob:{tile_host}; "
            "style-src 'self' 'unsafe-inline'; "
            "script-src 'self'; "
            "connect-src 'self'; "
            "media-src 'self' data:; "
            "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
        )

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", self.csp)
        response.setdefault("Permissions-Policy", "geolocation=(self), camera=(self), microphone=()")
        response.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        return response
