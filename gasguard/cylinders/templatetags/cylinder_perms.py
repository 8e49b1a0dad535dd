"""Template filters that show a link only to users its page lets in."""

from django import template

from gasguard.cylinders import permissions

register = template.Library()


@register.filter
def can_view_violations(user) -> bool:
    """Same check as the 违规充装 page (permissions.can_view_violations)."""
    return permissions.can_view_violations(user)


@register.filter
def can_register(user) -> bool:
    return permissions.can_register(user)


@register.filter
def can_deliver(user) -> bool:
    return permissions.can_deliver(user)


@register.filter
def can_open_premises(user, premises) -> bool:
    """Whether /cylinders/premises/<id>/ opens for the user (selectors.premises_cylinders): the
    premises' region is in scope or it belongs to the user's enterprise. A gas operator does not
    open its customers' premises (privacy: other operators' deliveries are listed there)."""
    from gasguard.accounts.selectors import user_scope

    if premises is None:
        return False
    scope = user_scope(user=user)
    return scope.covers_region(premises.region_code) or premises.enterprise_id in scope.enterprise_ids


@register.filter
def can_open_cylinder(user, cylinder) -> bool:
    """Whether /cylinders/c/<code>/ opens for the user (selectors.cylinder_list): the cylinder's
    region is in scope or the user's enterprise owns it."""
    from gasguard.accounts.selectors import user_scope

    if cylinder is None:
        return False
    scope = user_scope(user=user)
    return scope.covers_region(cylinder.region_code) or cylinder.owner_id in scope.enterprise_ids


@register.filter
def sees_arrivals(user) -> bool:
    """Whether the 外地气瓶 filter (selectors.cylinder_list(arrived=True)) can list anything: only a
    department or task force limited to regions has an 'outside' to receive cylinders from."""
    from gasguard.accounts.selectors import user_scope

    return bool(user_scope(user=user).region_prefixes)
