"""The `gasguard` console command: `gasguard demo`, `gasguard audit verify`, … = manage.py."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    from django.core.management import execute_from_command_line

    argv = sys.argv[:]
    argv[0] = "gasguard"
    execute_from_command_line(argv)
