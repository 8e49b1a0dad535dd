"""Pages of product quality: product models, blacklist, spot checks, recalls."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from gasguard.products import selectors
from gasguard.products.choices import ProductKindChoices


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
def blacklist(request):
    qs = selectors.blacklist_list(user=request.user, active_only=request.GET.get("all") != "1")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "products/blacklist.html", {"page_obj": page, "page_title": "黑名单"})


@login_required
def spot_check_list(request):
    page = Paginator(selectors.spot_check_list(user=request.user), 50).get_page(request.GET.get("page"))
    return render(request, "products/spot_check_list.html", {"page_obj": page, "page_title": "监督抽查"})


@login_required
def recall_list(request):
    page = Paginator(selectors.recall_list(user=request.user), 50).get_page(request.GET.get("page"))
    return render(request, "products/recall_list.html", {"page_obj": page, "page_title": "召回"})
