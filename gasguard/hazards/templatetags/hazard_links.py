"""`{% source_url hazard %}`: the page of the record a hazard came from (inspection, tip, alarm …)."""

from django import template
from django.urls import NoReverseMatch, reverse

register = template.Library()

# source_ref prefix → URL name taking the id
_SOURCES = {
    "inspection": "inspections:inspection_detail",
    "tip": "tips:tip_detail",
    "alarm": "monitoring:alarm_detail",
    "delivery": "cylinders:delivery_detail",
}


@register.simple_tag
def source_url(hazard) -> str:
    prefix, _, ident = (hazard.source_ref or "").partition(":")
    name = _SOURCES.get(prefix)
    if not name or not ident.isdigit():
        return ""
    try:
        return reverse(name, args=[int(ident)])
    except NoReverseMatch:
        return ""
