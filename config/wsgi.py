import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
application = get_wsgi_application()

# Token-authenticated pre-fill gate scans skip the middleware chain (gasguard/cylinders/api/fastpath.py).
from gasguard.cylinders.api.fastpath import GateFastPath  # noqa: E402

application = GateFastPath(application)
