"""Organisation pages: the region tree with each region's departments and task force."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from gasguard.core.errors import NotFound
from gasguard.org import selectors


@login_required
@require_GET
def region_list(request):
    """One region at a time (?code=…): its chain above, its children, departments, task force."""
    code = request.GET.get("code", "").strip()
    if code:
        try:
            region = selectors.region_get(user=request.user, code=code)
        except NotFound as exc:
            raise Http404(exc.message) from exc
    else:
        region = selectors.region_root(user=request.user)
    visible = selectors.region_list(user=request.user)
    context = {"page_title": "组织机构", "region": region}
    if region is not None:
        chain = []
        node = region.parent
        while node is not None:
            chain.append(node)
            node = node.parent
        chain.reverse()
        context.update(
            chain=[r for r in chain if visible.filter(pk=r.pk).exists()],
            children=list(visible.filter(parent=region).order_by("code")),
            departments=list(
                selectors.department_list(user=request.user).filter(region=region).order_by("kind")
            ),
            task_force=selectors.task_force_list(user=request.user).filter(region=region).first(),
        )
    return render(request, "org/region_list.html", context)
