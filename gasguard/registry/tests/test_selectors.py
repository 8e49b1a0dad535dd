import pytest
from django.test import RequestFactory
from hypothesis import given
from hypothesis import strategies as st

from gasguard.core.errors import NotFound
from gasguard.core.listing import next_code, prefix_range
from gasguard.registry import selectors
from gasguard.registry.filtersets import EnterpriseFilterSet, PremisesFilterSet
from gasguard.registry.models import Premises
from gasguard.registry.tests.factories import (
    CertificateFactory,
    LicenceFactory,
    PremisesFactory,
    StaffFactory,
)

pytestmark = pytest.mark.django_db


def test_prefix_range_is_equivalent_to_startswith(city):
    assert next_code("440305") == "440306"
    assert next_code("4409") == "4410"
    PremisesFactory(region=city.street_a)
    a = set(Premises.objects.filter(region_code__startswith="440305").values_list("pk", flat=True))
    b = set(Premises.objects.filter(**prefix_range("region_code", "440305")).values_list("pk", flat=True))
    assert a == b and len(a) == 2


def test_inspector_sees_own_district_only(city):
    names = set(selectors.premises_list(user=city.inspector_a).values_list("name", flat=True))
    assert names == {"南山川菜馆"}
    with pytest.raises(NotFound):
        selectors.premises_get(user=city.inspector_a, pk=city.premises_b.pk)
    with pytest.raises(NotFound):
        selectors.enterprise_get(user=city.inspector_b, pk=city.enterprise_a.pk)


def test_task_force_sees_whole_city(city):
    assert selectors.premises_list(user=city.taskforce_admin).count() == 2
    assert selectors.enterprise_list(user=city.leader).count() == 2


def test_enterprise_user_sees_own_records(city):
    assert list(selectors.enterprise_list(user=city.enterprise_user_b)) == [city.enterprise_b]
    assert list(selectors.premises_list(user=city.enterprise_user_b)) == [city.premises_b]
    staff = StaffFactory(enterprise=city.enterprise_a)
    CertificateFactory(staff=staff)
    LicenceFactory(enterprise=city.enterprise_a)
    assert selectors.staff_list(user=city.enterprise_user_b).count() == 0
    assert selectors.certificate_list(user=city.enterprise_user_b).count() == 0
    assert selectors.licence_list(user=city.enterprise_user_b).count() == 0
    assert selectors.certificate_list(user=city.enterprise_user_a).count() == 1
    assert selectors.licence_list(user=city.inspector_a).count() == 1
    assert selectors.licence_list(user=city.inspector_b).count() == 0


def test_premises_filters(city):
    PremisesFactory(region=city.grid_a, name="南山小学食堂", kind="school", gas_lpg=False, gas_pipeline=True)
    request = RequestFactory().get("/")
    request.user = city.taskforce_admin
    qs = selectors.premises_list(user=city.taskforce_admin)

    def names(**params):
        fs = PremisesFilterSet(params, queryset=qs, request=request)
        assert fs.is_valid(), fs.errors
        return sorted(fs.qs.values_list("name", flat=True))

    assert names(kind="restaurant", region="440305") == ["南山川菜馆"]
    assert names(q="小学") == ["南山小学食堂"]
    assert names(gas_pipeline="true") == ["南山小学食堂"]
    assert names(region="440306") == ["宝安粤菜馆"]


def test_region_filter_outside_scope_is_an_error(city):
    request = RequestFactory().get("/")
    request.user = city.inspector_a
    fs = PremisesFilterSet(
        {"region": "440306"}, queryset=selectors.premises_list(user=city.inspector_a), request=request
    )
    assert not fs.is_valid()
    assert "不在您的数据权限范围内" in str(fs.errors["region"])
    fs = PremisesFilterSet({"region": "4403"}, queryset=Premises.objects.none(), request=request)
    assert fs.is_valid()


def test_enterprise_licence_filter(city):
    LicenceFactory(enterprise=city.enterprise_a, valid_to="2020-01-01", valid_from="2019-01-01")
    request = RequestFactory().get("/")
    request.user = city.taskforce_admin
    qs = selectors.enterprise_list(user=city.taskforce_admin)
    fs = EnterpriseFilterSet({"licence": "expired"}, queryset=qs, request=request)
    assert list(fs.qs) == [city.enterprise_a]
    fs = EnterpriseFilterSet({"licence": "none"}, queryset=qs, request=request)
    assert list(fs.qs) == [city.enterprise_b]
    fs = EnterpriseFilterSet({"role": "bottled_lpg", "q": "宝安"}, queryset=qs, request=request)
    assert list(fs.qs) == [city.enterprise_b]


digits = st.text(alphabet="0123456789", min_size=1, max_size=15)


@given(prefix=digits, code=digits)
def test_prefix_range_matches_startswith_for_any_codes(prefix, code):
    upper = next_code(prefix)
    in_range = prefix <= code and (upper is None or code < upper)
    if upper is None:  # all nines: the filter falls back to startswith
        in_range = code.startswith(prefix)
    assert in_range == code.startswith(prefix)
