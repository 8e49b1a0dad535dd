"""URL map: one include per app (UI under /<app>/, API under /api/<app>/)."""

from importlib import import_module

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from gasguard.core.views import healthz

urlpatterns = [
    path("", include("gasguard.core.urls")),
    path("healthz", healthz, name="healthz"),
    path("accounts/", include("gasguard.accounts.urls")),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]

# Every gasguard app with a urls.py / api/urls.py is mounted; an app without them is skipped.
for _app in settings.GASGUARD_APPS:
    _label = _app.rsplit(".", 1)[1]
    if _label in ("core", "accounts"):
        continue
    for _module, _prefix in (
        (f"{_app}.urls", f"{_label}/"),
        (f"{_app}.api.urls", f"api/{_label}/"),
        (f"{_app}.public_urls", ""),  # pages without login, e.g. /report/ and /c/<code>
    ):
        try:
            import_module(_module)
        except ModuleNotFoundError as exc:
            if not (_module == exc.name or _module.startswith(f"{exc.name}.")):
                raise
            continue
        urlpatterns.append(path(_prefix, include(_module)))

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
