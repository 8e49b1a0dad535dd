import factory

from gasguard.org.choices import DepartmentKindChoices
from gasguard.org.models import Department, Region, TaskForce


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = "44"
    name = factory.Sequence(lambda n: f"区划{n}")
    level = 1


def region_path(*codes_and_names) -> Region:
    """Create (or get) a chain of regions: region_path(("44","广东省"), ("4403","深圳市"), …)."""
    parent = None
    for _level, (code, name) in enumerate(codes_and_names, start=1):
        parent, _ = Region.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "level": {2: 1, 4: 2, 6: 3, 9: 4, 12: 5, 15: 6}[len(code)],
                "parent": parent,
            },
        )
    return parent


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    region = factory.SubFactory(RegionFactory)
    kind = DepartmentKindChoices.HOUSING
    name = factory.LazyAttribute(lambda o: f"{o.region.name}{DepartmentKindChoices(o.kind).label}")


class TaskForceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TaskForce

    region = factory.SubFactory(RegionFactory)
    name = factory.LazyAttribute(lambda o: f"{o.region.name}城镇燃气安全专项整治工作专班")
    lead = factory.SubFactory(DepartmentFactory, region=factory.SelfAttribute("..region"))
