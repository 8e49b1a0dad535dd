"""GS1 EPCIS 2.0 JSON-LD export of cylinder events (ObjectEvents).

- Cylinders carry no GS1 key, so each is identified by the URI ``urn:gasguard:cylinder:<code>``
  (EPCIS 2.0 accepts any URI in ``epcList``); places are ``urn:gasguard:facility:<id>``,
  ``urn:gasguard:premises:<id>`` and ``urn:gasguard:enterprise:<id>``.
- Standard CBV 2.0 business steps are used where they fit (commissioning, inspecting,
  shipping, receiving, collecting, holding, destroying). Filling has no CBV step, so it is the
  extension step ``gg:filling``; ``gg`` is declared in ``@context`` as ``urn:gasguard:epcis:``
  — an identifier only, never fetched. The GS1 context IRI is likewise only an identifier.
- No personal data: no names of workers or operators, only ids of places and enterprises.
"""

from datetime import datetime

from django.utils import timezone

from gasguard.cylinders.choices import CylinderEventKindChoices as E
from gasguard.cylinders.models import CylinderEvent

GG_NAMESPACE = "urn:gasguard:epcis:"
EPCIS_CONTEXT = "https://ref.gs1.org/standards/epcis/epcis-context.jsonld"

# kind → (action, bizStep, disposition)
MAPPING = {
    E.REGISTERED: ("ADD", "commissioning", "active"),
    E.TRANSFERRED: ("OBSERVE", "gg:ownership_transfer", "active"),
    E.FILLED: ("OBSERVE", "gg:filling", "active"),
    E.DELIVERED: ("OBSERVE", "receiving", "in_progress"),
    E.RETURNED: ("OBSERVE", "collecting", "in_progress"),
    E.DELIVERY_CHECKED: ("OBSERVE", "gg:delivery_check", "in_progress"),
    E.INSPECTED: ("OBSERVE", "inspecting", "active"),
    E.SEIZED: ("OBSERVE", "holding", "non_sellable_other"),
    E.CUSTODY_MOVED: ("OBSERVE", "shipping", "non_sellable_other"),
    E.SCRAPPED: ("DELETE", "destroying", "destroyed"),
    E.STATUS_CHANGED: ("OBSERVE", "gg:status_change", "active"),
}


def cylinder_uri(code: str) -> str:
    return f"urn:gasguard:cylinder:{code}"


def _iso(dt: datetime) -> str:
    local = timezone.localtime(dt)
    return local.isoformat(timespec="milliseconds")


def _offset(dt: datetime) -> str:
    text = timezone.localtime(dt).strftime("%z")
    return f"{text[:3]}:{text[3:]}"


def event_to_epcis(ev: CylinderEvent, code: str) -> dict:
    action, step, disposition = MAPPING.get(ev.kind, ("OBSERVE", f"gg:{ev.kind}", "active"))
    out = {
        "type": "ObjectEvent",
        "eventID": f"urn:gasguard:event:{ev.pk}",
        "eventTime": _iso(ev.occurred_at),
        "eventTimeZoneOffset": _offset(ev.occurred_at),
        "epcList": [cylinder_uri(code)],
        "action": action,
        "bizStep": step,
        "disposition": disposition,
    }
    if ev.facility_id:
        out["readPoint"] = {"id": f"urn:gasguard:facility:{ev.facility_id}"}
    if ev.premises_id:
        out["bizLocation"] = {"id": f"urn:gasguard:premises:{ev.premises_id}"}
    elif ev.enterprise_id:
        out["bizLocation"] = {"id": f"urn:gasguard:enterprise:{ev.enterprise_id}"}
    if ev.kind == E.FILLED and ev.data.get("mass"):
        out["gg:netMassKg"] = ev.data["mass"]
        if ev.data.get("batch"):
            out["gg:gasBatch"] = f"urn:gasguard:gas-batch:{ev.data['batch']}"
    if ev.kind == E.INSPECTED and ev.data.get("result"):
        out["gg:inspectionResult"] = ev.data["result"]
    return out


def epcis_document(events) -> dict:
    """An EPCISDocument (JSON-LD) for CylinderEvents (each with `cylinder` selected)."""
    return {
        "@context": [EPCIS_CONTEXT, {"gg": GG_NAMESPACE}],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": _iso(timezone.now()),
        "epcisBody": {"eventList": [event_to_epcis(ev, ev.cylinder.code) for ev in events]},
    }


def events_for_export(*, cylinders_qs, start=None, end=None, limit: int = 10000):
    """CylinderEvents of the cylinders in a (scoped) queryset within [start, end)."""
    qs = CylinderEvent.objects.filter(cylinder__in=cylinders_qs).select_related("cylinder")
    if start:
        qs = qs.filter(occurred_at__gte=start)
    if end:
        qs = qs.filter(occurred_at__lt=end)
    return qs.order_by("occurred_at", "id")[:limit]
