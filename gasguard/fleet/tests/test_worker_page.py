"""送气工 page: an operator (its own enterprise) or 市场监管/专班 of the region registers a delivery
worker through `delivery_worker_create`; bad input shows a Chinese error next to the field and
writes nothing; personas without the right get 403 and no form."""

import pytest

from gasguard.audit.models import AuditEvent
from gasguard.fleet import services
from gasguard.fleet.models import DeliveryWorker
from gasguard.registry.tests.factories import StaffFactory

pytestmark = pytest.mark.django_db

URL = "/fleet/workers/"


@pytest.fixture(autouse=True)
def _cache():
    from django.core.cache import cache

    cache.clear()


def field_error(response, field: str) -> str:
    html = response.content.decode()
    marker = f'data-field="{field}">'
    assert marker in html, f"no error next to {field}"
    return html.split(marker, 1)[1].split("<", 1)[0]


def test_enterprise_user_sees_form_and_registers_own_worker(city, login):
    client = login(city.enterprise_user_a)
    page = client.get(URL)
    assert page.status_code == 200
    assert 'data-testid="worker-form"' in page.content.decode()
    assert 'data-testid="fleet-workers-link"' in page.content.decode()
    response = client.post(
        URL,
        {
            "enterprise": city.enterprise_a.pk,
            "name": " 赵送气 ",
            "phone": "138 0000 0000",
            "work_card_no": "S-1",
        },
    )
    assert response.status_code == 302
    worker = DeliveryWorker.objects.get()
    assert (worker.name, worker.enterprise, worker.work_card_no) == ("赵送气", city.enterprise_a, "S-1")
    assert AuditEvent.objects.filter(event_type="DELIVERY_WORKER_CREATED", object_id=str(worker.pk)).exists()
    listed = client.get(URL).content.decode()
    assert "赵送气" in listed and "138 0000 0000" in listed


def test_worker_from_staff_row_takes_its_name(city, login):
    staff = StaffFactory(enterprise=city.enterprise_a, post="delivery", name="王送气", phone="13900000000")
    client = login(city.enterprise_user_a)
    response = client.post(URL, {"enterprise": city.enterprise_a.pk, "staff": staff.pk})
    assert response.status_code == 302
    worker = DeliveryWorker.objects.get()
    assert (worker.name, worker.phone, worker.staff) == ("王送气", "13900000000", staff)


def test_staff_already_registered_is_not_offered_again(city, login):
    staff = StaffFactory(enterprise=city.enterprise_a, post="delivery", name="王送气")
    services.delivery_worker_create(actor=city.enterprise_user_a, enterprise=city.enterprise_a, staff=staff)
    response = login(city.enterprise_user_a).post(
        URL, {"enterprise": city.enterprise_a.pk, "staff": staff.pk}
    )
    assert response.status_code == 200
    assert "从业人员不存在或不可选" in field_error(response, "staff")
    assert DeliveryWorker.objects.count() == 1


def test_staff_of_another_enterprise_is_refused_by_the_service(city, login):
    staff = StaffFactory(enterprise=city.enterprise_b, post="delivery", name="李送气")
    response = login(city.taskforce_admin).post(URL, {"enterprise": city.enterprise_a.pk, "staff": staff.pk})
    assert response.status_code == 200
    assert field_error(response, "staff") == "人员不属于该企业"
    assert not DeliveryWorker.objects.exists()


def test_market_regulator_registers_for_an_operator_of_the_district(city, login):
    client = login(city.market_inspector_a)
    page = client.get(URL).content.decode()
    assert city.enterprise_a.name in page.split('data-testid="worker-form"')[1].split("</form>")[0]
    response = client.post(URL, {"enterprise": city.enterprise_a.pk, "name": "孙送气"})
    assert response.status_code == 302
    assert DeliveryWorker.objects.filter(name="孙送气", enterprise=city.enterprise_a).exists()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": "钱送气"}, "enterprise", "请选择企业"),
        ({"enterprise": "abc", "name": "钱送气"}, "enterprise", "企业不存在或不可选，请重新选择"),
        (
            {"enterprise": "99999999999999999999999", "name": "钱送气"},
            "enterprise",
            "企业不存在或不可选，请重新选择",
        ),
        ({"enterprise": "ENT", "name": "   "}, "name", "姓名不能为空"),
        ({"enterprise": "ENT", "name": "x" * 51}, "name", "姓名最多50个字符"),
        (
            {"enterprise": "ENT", "name": "钱送气", "phone": "电话号码"},
            "phone",
            "电话只能包含数字、空格、+ 和 -（5至20位）",
        ),
        (
            {"enterprise": "ENT", "name": "钱送气", "staff": "abc"},
            "staff",
            "从业人员不存在或不可选，请重新选择",
        ),
    ],
)
def test_bad_input_shows_field_error_and_writes_nothing(city, login, data, field, message):
    data = {k: (city.enterprise_a.pk if v == "ENT" else v) for k, v in data.items()}
    response = login(city.enterprise_user_a).post(URL, data)
    assert response.status_code == 200
    assert field_error(response, field) == message
    assert "请按提示修改标红的项目" in response.content.decode()
    assert not DeliveryWorker.objects.exists()
    assert not AuditEvent.objects.filter(event_type="DELIVERY_WORKER_CREATED").exists()


def test_other_enterprise_cannot_pick_a_foreign_enterprise(city, login):
    response = login(city.enterprise_user_b).post(URL, {"enterprise": city.enterprise_a.pk, "name": "钱送气"})
    assert response.status_code == 200
    assert "企业不存在或不可选" in field_error(response, "enterprise")
    assert not DeliveryWorker.objects.exists()


@pytest.mark.parametrize("persona", ["inspector_a", "supervisor_a", "leader"])
def test_personas_without_the_right_get_403_and_no_form(city, login, persona):
    client = login(getattr(city, persona))
    page = client.get(URL)
    assert page.status_code == 200
    assert 'data-testid="worker-form"' not in page.content.decode()
    response = client.post(URL, {"enterprise": city.enterprise_a.pk, "name": "钱送气"})
    assert response.status_code == 403
    assert 'data-testid="forbidden"' in response.content.decode()
    assert not DeliveryWorker.objects.exists()


def test_anonymous_is_sent_to_login(client, city):
    response = client.post(URL, {"enterprise": city.enterprise_a.pk, "name": "钱送气"})
    assert response.status_code == 302 and "login" in response["Location"]
    assert not DeliveryWorker.objects.exists()


def test_worker_page_query_count_is_flat(city, login, django_assert_max_num_queries):
    for n in range(30):
        DeliveryWorker.objects.create(
            enterprise=city.enterprise_a, name=f"送气工{n}", region_code=city.enterprise_a.region_code
        )
    client = login(city.enterprise_user_a)
    with django_assert_max_num_queries(20):
        assert client.get(URL).status_code == 200
