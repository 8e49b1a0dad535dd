"""Pages of product quality: product models, blacklist, spot checks, recalls."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from gasguard.core.errors import DomainError
from gasguard.cylinders.permissions import market_prefixes
from gasguard.products import selectors, services
from gasguard.products.choices import BlacklistSourceChoices, ProductKindChoices
from gasguard.products.models import ProductModel
from gasguard.registry.models import Enterprise


@login_required
def product_list(request):
    qs = selectors.product_model_list(
        user=request.user, kind=request.GET.get("kind", ""), q=request.GET.get("q", "")
    )
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    blacklist = selectors.blacklist_list(user=request.user)[:100]
    return render(
        request,
        "products/product_list.html",
        {
            "page_obj": page,
            "kinds": ProductKindChoices.choices,
            "blacklist": blacklist,
            "page_title": "产品质量",
            "blacklisted": selectors.blacklist_sets()[0],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def blacklist(request):
    """The blacklist; 市场监管 adds a product model or a maker (the gate refuses them at once)."""
    if request.method == "POST":
        p = request.POST
        try:
            pm = ProductModel.objects.filter(pk=p.get("product_model") or 0).first()
            maker = Enterprise.objects.filter(pk=p.get("maker") or 0).first()
            services.blacklist_add(
                actor=request.user,
                product_model=pm,
                maker=maker,
                reason=p.get("reason", ""),
                source=p.get("source", ""),
            )
            messages.success(request, "已列入黑名单")
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("products:blacklist")
    qs = selectors.blacklist_list(user=request.user, active_only=request.GET.get("all") != "1")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    prefixes = market_prefixes(request.user, write=True)
    return render(
        request,
        "products/blacklist.html",
        {
            "page_obj": page,
            "page_title": "黑名单",
            "can_edit": prefixes is None or bool(prefixes),
            "models": ProductModel.objects.order_by("kind", "maker_name", "model")[:500],
            "makers": Enterprise.objects.filter(roles__role__in=["cylinder_maker", "appliance_maker"])
            .distinct()
            .order_by("name")[:300],
            "sources": BlacklistSourceChoices.choices,
        },
    )


@login_required
def spot_check_list(request):
    page = Paginator(selectors.spot_check_list(user=request.user), 50).get_page(request.GET.get("page"))
    return render(request, "products/spot_check_list.html", {"page_obj": page, "page_title": "监督抽查"})


@login_required
def recall_list(request):
    page = Paginator(selectors.recall_list(user=request.user), 50).get_page(request.GET.get("page"))
    return render(request, "products/recall_list.html", {"page_obj": page, "page_title": "召回"})
