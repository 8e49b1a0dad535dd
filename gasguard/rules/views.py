"""The rule catalogue pages (检查规则库): list with filters, detail with legal basis, Excel export.

Thin shells over `gasguard.rules.selectors`; the catalogue is the same for every signed-in user.
"""

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from gasguard.core.errors import NotFound, ValidationFailed
from gasguard.org.choices import DepartmentKindChoices
from gasguard.rules.catalog import get_catalog
from gasguard.rules.choices import (
    AnswerTypeChoices,
    CategoryChoices,
    SeverityChoices,
    SourceStatusChoices,
    TargetTypeChoices,
)
from gasguard.rules.exports import catalog_xlsx
from gasguard.rules.selectors import RuleFilter, catalog_summary, rule_get, rule_list

PAGE_SIZE = 30
_ID_IN_TEXT = re.compile(r"\b[a-z][a-z0-9]*_[a-z0-9_]+\b")


def _filters(request) -> RuleFilter:
    try:
        return RuleFilter.from_params(request.GET)
    except ValidationFailed as exc:
        messages.error(request, exc.message)
        return RuleFilter(q=(request.GET.get("q") or "")[:100])


def _choices(choices, current: str, short=None) -> list[dict]:
    return [
        {"value": value, "label": short(value) if short else label, "selected": value == current}
        for value, label in choices
    ]


@login_required
@require_GET
def rule_list_view(request):
    """All rules with filters (target type, category, severity, lead department, status, text)."""
    catalog = get_catalog()
    filters = _filters(request)
    rules = rule_list(filters=filters, catalog=catalog)
    page = Paginator(rules, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page_title": "检查规则库",
        "catalog": catalog,
        "summary": catalog_summary(catalog),
        "filters": filters,
        "page_obj": page,
        "rules": page.object_list,
        "total": len(rules),
        "show_count": True,
        "export_query": query.urlencode(),
        "is_filtered": any(getattr(filters, name) for name in RuleFilter.__dataclass_fields__),
        "target_choices": _choices(TargetTypeChoices.choices, filters.target_type),
        "category_choices": _choices(CategoryChoices.choices, filters.category),
        "severity_choices": _choices(SeverityChoices.choices, filters.severity),
        "lead_choices": _choices(
            [(k, k) for k in sorted({r.lead for r in catalog.rules.values()})],
            filters.lead,
            short=DepartmentKindChoices.short,
        ),
        "status_choices": _choices(SourceStatusChoices.choices, filters.status),
        "answer_choices": _choices(AnswerTypeChoices.choices, filters.answer_type),
    }
    return render(request, "rules/rule_list.html", context)


@login_required
@require_GET
def rule_detail_view(request, rule_id: str):
    """One rule: question, hazard condition, departments, legal basis, actions and origin."""
    catalog = get_catalog()
    try:
        rule = rule_get(rule_id=rule_id, catalog=catalog)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    # Rules named in the notes (e.g. "见 crowd_exit_blocked") become links.
    related = [
        catalog.rules[rid] for rid in dict.fromkeys(_ID_IN_TEXT.findall(rule.notes)) if rid in catalog.rules
    ]
    return render(
        request,
        "rules/rule_detail.html",
        {"page_title": rule.title, "rule": rule, "catalog": catalog, "related": related},
    )


@login_required
@require_GET
def rule_export_view(request):
    """The filtered catalogue as an Excel workbook."""
    catalog = get_catalog()
    rules = rule_list(filters=_filters(request), catalog=catalog)
    response = HttpResponse(
        catalog_xlsx(rules, catalog=catalog),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="rules-{catalog.version}.xlsx"'
    return response
