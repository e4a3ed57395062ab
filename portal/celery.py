"""The Celery application. Workers and beat are started with ``celery -A portal``."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

# Every task declares whom it acts for in the database (portal/task_context.py).
app = Celery("portal", task_cls="portal.task_context:PortalTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
