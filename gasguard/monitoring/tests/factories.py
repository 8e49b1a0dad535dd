"""Factories for monitoring tests; `make_device` returns (device, secret)."""

from gasguard.monitoring.models import MonitoredSpace
from gasguard.monitoring.services import device_create


def make_space(*, region, code="MH-0001", kind="manhole", facility=None, name="电力井1号") -> MonitoredSpace:
    return MonitoredSpace.objects.create(
        code=code,
        name=name,
        kind=kind,
        region=region,
        region_code=region.code,
        lon=113.93,
        lat=22.52,
        facility=facility,
    )


def make_device(
    *, actor, enterprise, region, code="SIM-0001", device_type="methane", space=None, premises=None
):
    if space is None and premises is None:
        space = make_space(region=region, code=f"MH-{code}")
    return device_create(
        actor=actor,
        code=code,
        name=f"测试设备{code}",
        device_type=device_type,
        enterprise=enterprise,
        region=region,
        install_target="space" if space is not None else "premises",
        space=space,
        premises=premises,
        lon=113.93,
        lat=22.52,
    )


def make_fleet(*, city, prefix: str, device_types) -> list:
    """One device of each given type in district A, codes `<prefix>000`, `<prefix>001`, …"""
    return [
        make_device(
            actor=city.taskforce_admin,
            enterprise=city.enterprise_a,
            region=city.street_a,
            code=f"{prefix}{i:03d}",
            device_type=dtype,
        )[0]
        for i, dtype in enumerate(device_types)
    ]
