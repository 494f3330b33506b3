"""What every background job records (matching runs, forecasts): one abstract model."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class Job(models.Model):
    """Who started it, where it is (status, progress, message) and when it ran."""

    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=8, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    message = models.CharField(_("message"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def is_finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)

    def report_progress(self, pct: int, message) -> None:
        """Progress while running, written straight to the row (pages poll it)."""
        type(self)._default_manager.filter(pk=self.pk).update(
            progress=pct, message=str(message)[:500], status=JobStatus.RUNNING
        )

    def finish(self, error: Exception | None = None) -> None:
        """Done, or failed with the error's message for the user to see; saved."""
        if error is None:
            self.status, self.progress = JobStatus.DONE, 100
        else:
            self.status, self.message = JobStatus.FAILED, str(error)[:500]
        self.finished_at = timezone.now()
        self.save()
