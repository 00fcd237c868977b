import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# Import every URL pattern and so every view now, not during the first request a worker serves: a server
# that starts under load (a deploy during a go/no-go vote) answers its first requests at full speed,
# and with `gunicorn --preload` the workers inherit the imported code from the master.
_ = get_resolver().url_patterns
