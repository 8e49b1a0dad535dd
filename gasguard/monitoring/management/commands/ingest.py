"""`gasguard ingest`: an MQTT telemetry ingest worker (run several; they share the load)."""

import logging
import signal
import socket

from django.core.management.base import BaseCommand

from gasguard.monitoring.mqtt import IngestWorker


class Command(BaseCommand):
    help = "接入 MQTT 监测数据（共享订阅 $share/gasguard-ingest/gg/v1/+/telemetry，入库后才确认）"

    def add_arguments(self, parser):
        parser.add_argument(
            "--client-id",
            default=f"gasguard-ingest-{socket.gethostname()}-1",
            help="稳定的客户端标识（重启后沿用，以便取回未确认消息）",
        )
        parser.add_argument("--url", default=None, help="MQTT 地址，默认取 MQTT_URL")
        parser.add_argument("--batch", type=int, default=None, help="每批最多读数")
        parser.add_argument("--flush-ms", type=int, default=None, help="最长攒批时间（毫秒）")
        parser.add_argument("--group", default="gasguard-ingest", help="共享订阅组名")
        parser.add_argument("--max-seconds", type=float, default=None, help="运行多少秒后退出（测试用）")

    def handle(self, *args, **opts):
        logging.basicConfig(level=logging.INFO)
        worker = IngestWorker(
            client_id=opts["client_id"],
            url=opts["url"],
            batch_readings=opts["batch"],
            flush_ms=opts["flush_ms"],
            group=opts["group"],
        )
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: worker.stop_event.set())
        worker.start()
        self.stdout.write(f"ingest worker {opts['client_id']} → {worker.host}:{worker.port} {worker.topic}")
        try:
            worker.run(max_seconds=opts["max_seconds"])
        finally:
            worker.stop()
        store = worker.processor.store
        self.stdout.write(
            f"stored={store.stored} dead_lettered={store.dead_lettered} alarms={store.alarms} "
            f"acked={worker.acked}"
        )
