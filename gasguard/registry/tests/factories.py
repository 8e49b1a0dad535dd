import datetime

import factory

from gasguard.registry.models import Certificate, Enterprise, EnterpriseRole, Licence, Premises, Staff
from gasguard.registry.uscc import make_uscc

# Far ahead on purpose: a factory licence or certificate must not lapse while the suite is in use
# (a fixed 2030 would turn every gate and findings test red in 2031).
VALID_UNTIL = datetime.date(2099, 12, 31)


class EnterpriseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enterprise

    name = factory.Sequence(lambda n: f"测试燃气有限公司{n}")
    uscc = factory.Sequence(lambda n: make_uscc("440305", 100000 + n))
    region = None
    region_code = factory.LazyAttribute(lambda o: o.region.code)
    address = "测试路1号"


class EnterpriseRoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EnterpriseRole

    enterprise = factory.SubFactory(EnterpriseFactory)
    role = "bottled_lpg"


class LicenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Licence

    enterprise = factory.SubFactory(EnterpriseFactory)
    region_code = factory.LazyAttribute(lambda o: o.enterprise.region_code)
    kind = "gas_operation"
    number = factory.Sequence(lambda n: f"粤{202300000 + n}")
    issuer = "深圳市住房和建设局"
    issuing_level = "city"
    valid_from = datetime.date(2023, 1, 1)
    valid_to = VALID_UNTIL


class StaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Staff

    enterprise = factory.SubFactory(EnterpriseFactory)
    region_code = factory.LazyAttribute(lambda o: o.enterprise.region_code)
    name = factory.Sequence(lambda n: f"员工{n}")
    post = "safety_manager"


class CertificateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Certificate

    staff = factory.SubFactory(StaffFactory)
    kind = "safety_assessment"
    number = factory.Sequence(lambda n: f"C{n:06d}")
    issued_on = datetime.date(2023, 1, 1)
    valid_to = VALID_UNTIL


class PremisesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Premises

    name = factory.Sequence(lambda n: f"测试餐馆{n}")
    kind = "restaurant"
    region = None
    region_code = factory.LazyAttribute(lambda o: o.region.code)
    address = factory.Sequence(lambda n: f"测试街{n}号")
    lon = 113.93
    lat = 22.53
    gas_lpg = True
