"""Large imports on a background worker: start, progress, outcome.

The request that confirms a large import only records the job and enqueues
the task (after commit); the worker reads the upload kept in shared storage
and runs the same ``import_file`` as a small import. Progress and the outcome
are written to the ImportJob row by autocommitted updates outside the
import's transaction, so any app server's request can read them meanwhile.
A failure rolls the import back as one transaction and keeps its message.

A large file is also checked on a worker (mode "preview"): the dry run's
result waits on the job until its user confirms (the same job then imports
the held file, checking the preview's record versions) or cancels.
"""

import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from registers.importing.results import ImportResult
from registers.models import ImportJob, ImportJobMode, ImportJobStatus
from registers.permissions import Actor
from registers.services.held_uploads import (
    HeldUploadGone,
    held_upload_delete,
    held_upload_keep_versions,
    held_upload_read,
    held_upload_take,
)
from registers.services.imports import import_file

logger = logging.getLogger(__name__)

# What a user sees when the worker itself fails (the detail goes to the log).
FAILED_MESSAGE = "The import failed on the server and nothing was imported ({error})."
GONE_MESSAGE = (
    "The uploaded file is no longer available (uploads not confirmed within "
    "{hours} hours are deleted): nothing was imported. Upload it again."
)


class ImportJobNotWaiting(Exception):
    """Confirm or cancel of a job that is not a checked preview awaiting its user."""


def import_job_create(
    *,
    user: Actor,
    spec_path: str,
    held_name: str,
    file_name: str,
    rows_total: int,
    return_url: str = "",
    mode: str = ImportJobMode.IMPORT,
) -> ImportJob:
    job = ImportJob.objects.create(
        user=user,
        spec=spec_path,
        held_name=held_name,
        file_name=file_name,
        rows_total=rows_total,
        return_url=return_url,
        mode=mode,
    )
    logger.info(
        "import_job.queued job=%s mode=%s file=%s rows=%s", job.pk, mode, file_name, rows_total
    )
    return job


def import_job_confirm(*, job_id: int, user: Actor) -> ImportJob:
    """The user confirms their checked preview: the same job now imports the file."""
    with transaction.atomic():
        job = _waiting(job_id, user)
        job.mode = ImportJobMode.IMPORT
        job.status = ImportJobStatus.QUEUED
        job.rows_done = 0
        job.progressed_at = None
        job.save(update_fields=["mode", "status", "rows_done", "progressed_at"])
    logger.info("import_job.confirmed job=%s file=%s", job.pk, job.file_name)
    return job


def import_job_cancel(*, job_id: int, user: Actor) -> ImportJob:
    with transaction.atomic():
        job = _waiting(job_id, user)
        _finish(job, ImportJobStatus.CANCELLED, outcome=job.outcome)
    logger.info("import_job.cancelled job=%s file=%s", job.pk, job.file_name)
    return job


def _waiting(job_id: int, user: Actor) -> ImportJob:
    job = (
        ImportJob.objects.select_for_update()
        .filter(
            pk=job_id,
            user=user,
            mode=ImportJobMode.PREVIEW,
            status=ImportJobStatus.PREVIEWED,
        )
        .first()
    )
    if job is None:
        raise ImportJobNotWaiting(job_id)
    return job


def import_job_task_id(*, job_id: int, task_id: str) -> None:
    ImportJob.objects.filter(pk=job_id).update(task_id=task_id)


def import_job_progress(*, job_id: int, stage: str, done: int, total: int) -> None:
    ImportJob.objects.filter(pk=job_id).update(
        status=stage, rows_done=done, rows_total=total, progressed_at=timezone.now()
    )


def import_job_run(*, job_id: int) -> str:
    """The worker's side: check or import the held file, recording progress and outcome."""
    job = ImportJob.objects.select_related("user").get(pk=job_id)
    if job.finished:
        return job.status
    import_job_progress(job_id=job.pk, stage=ImportJobStatus.READING, done=0, total=job.rows_total)
    preview = job.mode == ImportJobMode.PREVIEW
    try:
        # A preview leaves the file held for the confirmation; an import takes it.
        if preview:
            data, versions = held_upload_read(name=job.held_name), None
        else:
            data, versions = held_upload_take(name=job.held_name)
    except HeldUploadGone:
        _finish(job, ImportJobStatus.FAILED, error=_gone())
        return job.status
    try:
        result = import_file(
            spec=import_string(job.spec)(),
            data=data,
            file_name=job.file_name,
            user=job.user,
            dry_run=preview,
            preview_versions=versions,
            progress=lambda stage, done, total: import_job_progress(
                job_id=job.pk, stage=stage, done=done, total=total
            ),
        )
    except Exception as exc:
        logger.exception(
            "import_job.failed job=%s mode=%s file=%s", job.pk, job.mode, job.file_name
        )
        _finish(job, ImportJobStatus.FAILED, error=FAILED_MESSAGE.format(error=exc))
        raise
    if not result.ok or (not preview and not result.written):
        _finish(
            job,
            ImportJobStatus.FAILED,
            outcome=_outcome(result),
            error="Nothing was imported: the file has problems (listed below).",
        )
    elif preview:
        _previewed(job, result)
    else:
        _finish(job, ImportJobStatus.DONE, outcome=_outcome(result))
    return job.status


def _previewed(job: ImportJob, result: ImportResult) -> None:
    # Kept until the user confirms (or the daily job deletes it for its age).
    held_upload_keep_versions(name=job.held_name, versions=result.read_versions)
    job.status = ImportJobStatus.PREVIEWED
    job.outcome = {"preview": result.as_data()}
    job.rows_total = job.rows_done = result.rows_read
    job.progressed_at = timezone.now()
    job.save(update_fields=["status", "outcome", "rows_total", "rows_done", "progressed_at"])


def _gone() -> str:
    return GONE_MESSAGE.format(hours=settings.IMPORT_HELD_HOURS)


def _finish(job: ImportJob, status: str, *, outcome: dict | None = None, error: str = "") -> None:
    job.status = status
    job.outcome = outcome or {}
    job.error = error
    job.finished_at = timezone.now()
    if status == ImportJobStatus.DONE:
        job.rows_done = job.rows_total
    job.save(update_fields=["status", "outcome", "error", "finished_at", "rows_done"])
    # The upload was only kept for this job.
    held_upload_delete(name=job.held_name)


def _outcome(result: ImportResult) -> dict:
    return {
        "kind": result.kind,
        "summary": result.summary_lines(),
        "follow_up": list(result.follow_up),
        "problems": [
            {"row": p.row, "column": p.column or "", "message": p.message}
            for p in result.problems[:200]
        ],
        "problem_total": len(result.problems),
        "run_id": result.run_id,
    }
