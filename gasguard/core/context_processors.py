"""Template context available on every page: navigation and product settings."""

from django.conf import settings

from gasguard.core.navigation import navigation_for


def gasguard(request):
    user = getattr(request, "user", None)
    return {
        "nav_sections": navigation_for(user) if user is not None and user.is_authenticated else [],
        "map_tile_url": settings.GASGUARD_MAP_TILE_URL,
        "map_tile_attribution": settings.GASGUARD_MAP_TILE_ATTRIBUTION,
    }
