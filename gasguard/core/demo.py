"""The demo-city framework: `gasguard demo` calls `build(ctx)` of every app's `demo.py`.

Apps are built in settings.GASGUARD_APPS order (org and registry first; later apps find what
earlier ones made in `ctx.data`). Every builder draws randomness only from `ctx.rng`, so the
same seed builds the same city. `ctx.scale` multiplies volumes (benchmarks); builders use
bulk inserts so large scales stay practical.
"""

import random
from dataclasses import dataclass, field
from datetime import date
from importlib import import_module

from django.conf import settings


@dataclass
class DemoContext:
    """What builders share: the seed, scale, a seeded RNG, 'today', output and handles."""

    seed: int = 20230809
    scale: float = 1.0
    today: date = field(default_factory=date.today)
    rng: random.Random = field(init=False)
    out: object = None  # a writer with .write(str), e.g. the command's stdout
    # Handles made by earlier builders, documented in each builder's module docstring:
    # city, districts, streets, grids, departments {(region_code, kind): Department},
    # users {username: User}, enterprises_by_role {role: [Enterprise]}, premises_ids [int] …
    data: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    def log(self, message: str) -> None:
        if self.out is not None:
            self.out.write(message + "\n")

    def n(self, base: int) -> int:
        """A volume scaled by --scale, at least 1."""
        return max(1, int(round(base * self.scale)))


def demo_builders() -> list[tuple[str, object]]:
    """(app label, build function) for every app that has a demo.py, in app order."""
    builders = []
    for app in settings.GASGUARD_APPS:
        try:
            module = import_module(f"{app}.demo")
        except ModuleNotFoundError as exc:
            if exc.name == f"{app}.demo":
                continue
            raise
        build = getattr(module, "build", None)
        if build is not None:
            builders.append((app.rsplit(".", 1)[1], build))
    return builders
