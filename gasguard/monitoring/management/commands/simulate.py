"""`gasguard simulate sensors`: publish realistic telemetry for demo/simulated devices."""

from django.core.management.base import BaseCommand, CommandError

from gasguard.monitoring.models import Device
from gasguard.monitoring.simulator import SIM_PREFIXES, Simulator, issue_credentials


class Command(BaseCommand):
    help = "模拟器：sensors 向 MQTT 发布监测数据（仅驱动 DEMO-/SIM-/BENCH- 开头的模拟设备）"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="what", required=True)
        s = sub.add_parser("sensors", help="模拟监测设备上报")
        s.add_argument("--devices", type=int, default=100)
        s.add_argument("--rate", type=float, default=100.0, help="每秒读数（指标值）数")
        s.add_argument("--duration", type=float, default=60.0, help="秒")
        s.add_argument("--garbage", type=float, default=0.0, help="故意发送坏报文的比例，如 0.01")
        s.add_argument("--per-message", type=int, default=1, help="每条报文打包的采样数")
        s.add_argument("--prefix", default="DEMO-", choices=SIM_PREFIXES)
        s.add_argument("--url", default=None)
        s.add_argument("--seed", type=int, default=1)

    def handle(self, *args, **o):
        devices = list(
            Device.objects.filter(code__startswith=o["prefix"], is_active=True).order_by("code")[
                : o["devices"]
            ]
        )
        if not devices:
            raise CommandError(f"没有以 {o['prefix']} 开头的设备；请先运行 gasguard demo")
        secrets = issue_credentials(devices)
        sim = Simulator(
            devices, secrets, seed=o["seed"], url=o["url"], garbage=o["garbage"], per_message=o["per_message"]
        )
        sim.connect()
        try:
            sim.run(rate=o["rate"], duration=o["duration"], log=self.stdout.write)
        finally:
            sim.close()
        self.stdout.write(
            f"published messages={sim.published_messages} readings={sim.published_readings} "
            f"garbage_messages={sim.garbage_messages} good_readings={sim.good_readings}"
        )
