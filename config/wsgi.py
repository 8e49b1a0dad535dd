import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
application = get_wsgi_application()

# Process-wide state loaded once here, so that with gunicorn --preload every worker inherits it
# instead of paying for it on its first request: the rule catalogue (files + settings, ~0.26 s).
from gasguard.rules.catalog import get_catalog  # noqa: E402

get_catalog()

# Token-authenticated pre-fill gate scans skip the middleware chain (gasguard/cylinders/api/fastpath.py).
from gasguard.cylinders.api.fastpath import GateFastPath  # noqa: E402

application = GateFastPath(application)
