"""A background import's page: a progress bar while a worker runs it, then
its result. Only the user who started it (or a superuser) sees it."""

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.module_loading import import_string
from django.views.decorators.http import require_POST
from unfold.admin import ModelAdmin

from registers.importing.results import ImportResult
from registers.models import ImportJob, ImportJobStatus
from registers.services.import_jobs import ImportJobNotWaiting, import_job_cancel
from registers.services.tasks import import_preview_confirm


@admin.register(ImportJob)
class ImportJobAdmin(ModelAdmin):
    """Reached from the import's confirm step, not from the menu; the list shows
    a user their own background imports (a superuser everyone's)."""

    list_display = ["file_name", "status", "rows_total", "created_at", "user"]
    list_select_related = ["user"]
    list_display_links = None
    show_full_result_count = False

    def has_module_permission(self, request):
        return False

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(user=request.user)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        job = self._job(request, int(object_id)) if str(object_id).isdigit() else None
        if job is None:
            raise Http404("No such import.")
        return HttpResponseRedirect(reverse("admin:registers_importjob_progress", args=[job.pk]))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [
            path(
                "<int:job_id>/progress/",
                self.admin_site.admin_view(self.progress_view),
                name="registers_importjob_progress",
            ),
            path(
                "<int:job_id>/confirm/",
                self.admin_site.admin_view(require_POST(self.confirm_view)),
                name="registers_importjob_confirm",
            ),
            path(
                "<int:job_id>/status.json",
                self.admin_site.admin_view(self.status_view),
                name="registers_importjob_status",
            ),
        ] + super().get_urls()

    def _job(self, request, job_id: int) -> ImportJob:
        job = ImportJob.objects.filter(pk=job_id).first()
        if job is None or not (job.user_id == request.user.pk or request.user.is_superuser):
            raise Http404("No such import.")
        return job

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
            "status_url": reverse("admin:registers_importjob_status", args=[job.pk]),
            "stalled_note": _stalled_note(job),
        }
        if job.status == ImportJobStatus.PREVIEWED:
            context["result"] = ImportResult.from_data(job.outcome["preview"])
            context["confirm_url"] = reverse("admin:registers_importjob_confirm", args=[job.pk])
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "registers/admin/import_job.html", context)

    def confirm_view(self, request, job_id: int):
        """Confirm or cancel a preview checked on a worker."""
        job = self._job(request, job_id)
        progress = reverse("admin:registers_importjob_progress", args=[job.pk])
        if not self._may_import(request, job):
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

    def _may_import(self, request, job: ImportJob) -> bool:
        # The import permission may have been withdrawn since the upload.
        model_admin = self.admin_site._registry.get(import_string(job.spec).model)
        return model_admin is not None and model_admin.has_import_permission(request)

    def status_view(self, request, job_id: int):
        job = self._job(request, job_id)
        return JsonResponse(
            {
                "status": job.status,
                "label": job.get_status_display(),
                "rows_done": job.rows_done,
                "rows_total": job.rows_total,
                "percent": job.percent,
                "finished": job.finished,
                "stalled_note": _stalled_note(job),
            }
        )


def _stalled_note(job: ImportJob) -> str:
    return job.stalled_note(now=timezone.now(), after_minutes=settings.IMPORT_STALLED_MINUTES)
