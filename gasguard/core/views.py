"""Home page and the health check."""

import time

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

import gasguard


@login_required
def home(request):
    memberships = request.user.memberships.filter(is_active=True).select_related(
        "department", "task_force", "enterprise"
    )
    return render(request, "core/home.html", {"memberships": memberships, "page_title": "首页"})


@never_cache
@require_GET
def healthz(request):
    """Database reachability as JSON; 503 when the database does not answer."""
    started = time.perf_counter()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        db = {"ok": True, "vendor": connection.vendor}
    except Exception as exc:  # noqa: BLE001 - any database failure means unhealthy
        db = {"ok": False, "vendor": connection.vendor, "error": exc.__class__.__name__}
    body = {
        "status": "ok" if db["ok"] else "error",
        "version": gasguard.__version__,
        "database": {**db, "latency_ms": round((time.perf_counter() - started) * 1000, 2)},
    }
    return JsonResponse(body, status=200 if db["ok"] else 503)
