"""The Celery application: background jobs on workers when CELERY_BROKER_URL is set.

`celery -A urbanmine worker` (or `make worker`) starts a worker; without a broker, jobs run
in-process (core/jobs.py, docs/development/jobs.md). Settings are the CELERY_* names of
settings.py. Tasks are discovered in every app's `tasks` module; job functions are
registered (`@job_function`) in the apps' `services` modules, which a worker imports too."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "urbanmine.settings")

app = Celery("urbanmine")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.autodiscover_tasks(related_name="services")
