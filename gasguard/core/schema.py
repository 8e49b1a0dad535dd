"""drf-spectacular helpers for APIView / function-view endpoints (which it cannot introspect)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, inline_serializer
from rest_framework import serializers

_cache: dict[str, serializers.Serializer] = {}


def paginated(serializer_class, name: str | None = None):
    """The StandardPagination envelope {count, next, previous, results: [serializer]}."""
    base = serializer_class.__name__.removesuffix("Serializer")
    name = name or f"Paginated{base}List"
    if name not in _cache:
        _cache[name] = inline_serializer(
            name=name,
            fields={
                "count": serializers.IntegerField(),
                "next": serializers.URLField(allow_null=True),
                "previous": serializers.URLField(allow_null=True),
                "results": serializer_class(many=True),
            },
        )
    return _cache[name]


def results_of(name: str, **fields):
    """An object {results: [...], <fields>} for endpoints that answer an unpaginated list."""
    if name not in _cache:
        _cache[name] = inline_serializer(
            name=name,
            fields={"results": serializers.ListField(child=serializers.DictField()), **fields},
        )
    return _cache[name]


def query(name: str, type_=OpenApiTypes.STR, description: str = "", **kwargs) -> OpenApiParameter:
    """A documented query parameter."""
    return OpenApiParameter(name, type_, OpenApiParameter.QUERY, description=description, **kwargs)


OBJECT = OpenApiTypes.OBJECT
