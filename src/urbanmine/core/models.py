"""What every background job records (matching runs, forecasts): one abstract model.

Besides status and progress a job carries what keeps it honest when processes die: the
worker that holds it (`worker`, `task_id`), a `heartbeat_at` that worker refreshes while
it runs, and a `cancel_requested` flag checked at every progress report (core/jobs.py)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


ACTIVE_STATUSES = (JobStatus.QUEUED, JobStatus.RUNNING)
FINISHED_STATUSES = (JobStatus.DONE, JobStatus.FAILED, JobStatus.CANCELLED)


#: Written by the dispatcher, the heartbeat and `job_cancel`, never by a job's `finish()`.
CONTROL_FIELDS = frozenset({"heartbeat_at", "worker", "task_id", "cancel_requested", "started_at"})


class JobCancelled(Exception):
    """Raised at a progress report when someone asked the job to stop."""


def stale_message() -> str:
    return gettext(
        "The worker stopped (its process ended or lost contact) before the job finished; "
        "start it again."
    )


def cancelled_message() -> str:
    return gettext("Cancelled on request.")


class Job(models.Model):
    """Who started it, where it is (status, progress, message), when it ran and who runs it."""

    #: Extra field values written whenever a job of this kind ends (e.g. a MatchRun frees
    #: its one-at-a-time slot); every path that ends a job applies them.
    ENDED_FIELDS: ClassVar[dict[str, Any]] = {}

    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=9, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    message = models.CharField(_("message"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(_("started running"), null=True, blank=True)  # claimed
    heartbeat_at = models.DateTimeField(_("last heartbeat"), null=True, blank=True)
    worker = models.CharField(_("worker"), max_length=200, blank=True)  # host:pid
    task_id = models.CharField(_("task id"), max_length=64, blank=True)  # Celery's
    cancel_requested = models.BooleanField(_("cancel requested"), default=False)

    class Meta:
        abstract = True

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED_STATUSES

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def is_stale(self) -> bool:
        """A job nobody works on any more: running (or queued in-process) with no heartbeat
        for URBANMINE_JOB_STALE_S. A queued Celery task waits for a worker and is not stale."""
        cutoff = timezone.now() - timedelta(seconds=settings.URBANMINE_JOB_STALE_S)
        if self.status == JobStatus.RUNNING:
            return (self.heartbeat_at or self.created_at) < cutoff
        if self.status == JobStatus.QUEUED and not self.task_id:
            return (self.heartbeat_at or self.created_at) < cutoff
        return False

    @classmethod
    def stale_filter(cls) -> Q:
        """The database form of `is_stale`."""
        cutoff = timezone.now() - timedelta(seconds=settings.URBANMINE_JOB_STALE_S)
        old = Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, created_at__lt=cutoff)
        return old & (Q(status=JobStatus.RUNNING) | Q(status=JobStatus.QUEUED, task_id=""))

    def report_progress(self, pct: int, message) -> None:
        """Progress while running, written straight to the row (pages poll it); doubles as
        a heartbeat, and stops the job (JobCancelled) when a cancel was requested or the job
        was ended elsewhere (reaped as stale)."""
        updated = (
            type(self)
            ._default_manager.filter(pk=self.pk, cancel_requested=False, status__in=ACTIVE_STATUSES)
            .update(
                progress=pct,
                message=str(message)[:500],
                status=JobStatus.RUNNING,
                heartbeat_at=timezone.now(),
            )
        )
        if not updated:
            raise JobCancelled(cancelled_message())

    def finish(self, error: Exception | None = None) -> None:
        """Done, cancelled, or failed with the error's message for the user to see; saved.

        A row that was ended elsewhere meanwhile (cancelled while queued, failed as stale)
        keeps that ending: the reaper's word is final, so a slot it freed stays free."""
        ended = (
            type(self)
            ._default_manager.filter(pk=self.pk, status__in=FINISHED_STATUSES)
            .values_list("status", flat=True)
            .first()
        )
        if ended is not None:
            self.refresh_from_db()
            return
        if error is None:
            self.status, self.progress = JobStatus.DONE, 100
        elif isinstance(error, JobCancelled):
            self.status, self.message = JobStatus.CANCELLED, cancelled_message()
        else:
            self.status, self.message = JobStatus.FAILED, str(error)[:500]
        self.finished_at = timezone.now()
        for name, value in self.ENDED_FIELDS.items():
            setattr(self, name, value)
        # The control fields belong to the dispatcher, the heartbeat and cancel: not ours to
        # write back from the copy loaded when the job began.
        self.save(
            update_fields=[
                f.name
                for f in self._meta.concrete_fields
                if not f.primary_key and f.name not in CONTROL_FIELDS
            ]
        )


class Notification(models.Model):
    """A message to one user with a link to what it is about (a wanted lot was published,
    …): shown in the app until read; the same text may also go out by e-mail."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    text = models.CharField(_("message"), max_length=500)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.text[:40]}"
