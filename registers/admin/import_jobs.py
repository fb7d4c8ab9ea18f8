"""A background import's page: a progress bar while a worker runs it, then
its result. Only the user who started it (or a superuser) sees it."""

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from registers.admin.jobs import OwnJobAdmin
from registers.importing.results import ImportResult
from registers.models import ImportJob, ImportJobStatus
from registers.services.import_jobs import ImportJobNotWaiting, import_job_cancel
from registers.services.tasks import import_preview_confirm


@admin.register(ImportJob)
class ImportJobAdmin(OwnJobAdmin):
    """Reached from the import's upload or confirm step; the list shows a user
    their own background imports (a superuser everyone's)."""

    def get_urls(self):
        return self.job_urls(
            progress=self.progress_view,
            confirm=require_POST(self.confirm_view),
            status=self.status_view,
        )

    def progress_view(self, request, job_id: int):
        job = self._job(request, job_id)
        run_url = None
        run_id = job.outcome.get("run_id")
        if run_id and job.outcome.get("kind") and request.user.has_perm("registers.view_importrun"):
            run_url = reverse("admin:registers_importrun_change", args=[run_id])
        context = {
            **self.admin_site.each_context(request),
            "title": f"Import of {job.file_name}",
            "opts": self.opts,
            "job": job,
            "run_url": run_url,
            "status_url": self._url("status", job),
            "stalled_note": self.stalled_note(job),
        }
        if job.status == ImportJobStatus.PREVIEWED:
            context["result"] = ImportResult.from_data(job.outcome["preview"])
            context["confirm_url"] = self._url("confirm", job)
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "registers/admin/import_job.html", context)

    def confirm_view(self, request, job_id: int):
        """Confirm or cancel a preview checked on a worker."""
        job = self._job(request, job_id)
        progress = self._progress_url(job)
        # The import permission may have been withdrawn since the upload.
        model_admin = self.register_admin(job)
        if model_admin is None or not model_admin.has_import_permission(request):
            raise PermissionDenied
        try:
            if "cancel" in request.POST:
                import_job_cancel(job_id=job.pk, user=request.user)
                messages.info(
                    request, f"Import of {job.file_name} cancelled: nothing was imported."
                )
                return HttpResponseRedirect(job.return_url or progress)
            import_preview_confirm(job_id=job.pk, user=request.user)
        except ImportJobNotWaiting:
            messages.error(
                request,
                "That import was already confirmed or cancelled, or is still being checked.",
            )
        return HttpResponseRedirect(progress)

    def stalled_note(self, job) -> str:
        return job.stalled_note(now=timezone.now(), after_minutes=settings.IMPORT_STALLED_MINUTES)
