"""A background export's page: a progress bar while a worker writes the file,
then its download. Only the user who asked for it (or a superuser) sees it,
and only while they may still export that register."""

from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.module_loading import import_string
from unfold.admin import ModelAdmin

from registers.models import ExportJob
from registers.services.export_jobs import ExportFileGone, export_job_file


@admin.register(ExportJob)
class ExportJobAdmin(ModelAdmin):
    """Reached from a large export, not from the menu."""

    list_display = ["file_name", "status", "rows_total", "created_at", "user"]
    list_select_related = ["user"]
    list_display_links = None
    show_full_result_count = False

    def has_module_permission(self, request):
        return False

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        queryset = super().get_queryset(request).defer("ids")
        if request.user.is_superuser:
            return queryset
        return queryset.filter(user=request.user)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        job = self._job(request, int(object_id)) if str(object_id).isdigit() else None
        if job is None:
            raise Http404("No such export.")
        return HttpResponseRedirect(reverse("admin:registers_exportjob_progress", args=[job.pk]))

    def get_urls(self):
        return [
            path(
                "<int:job_id>/progress/",
                self.admin_site.admin_view(self.progress_view),
                name="registers_exportjob_progress",
            ),
            path(
                "<int:job_id>/status.json",
                self.admin_site.admin_view(self.status_view),
                name="registers_exportjob_status",
            ),
            path(
                "<int:job_id>/download/",
                self.admin_site.admin_view(self.download_view),
                name="registers_exportjob_download",
            ),
        ] + super().get_urls()

    def _job(self, request, job_id: int) -> ExportJob:
        job = ExportJob.objects.defer("ids").filter(pk=job_id).first()
        if job is None or not (job.user_id == request.user.pk or request.user.is_superuser):
            raise Http404("No such export.")
        return job

    def progress_view(self, request, job_id: int):
        job = self._job(request, job_id)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Export to {job.file_name}",
            "opts": self.opts,
            "job": job,
            "status_url": reverse("admin:registers_exportjob_status", args=[job.pk]),
            "download_url": reverse("admin:registers_exportjob_download", args=[job.pk]),
            "keep_hours": settings.EXPORT_KEEP_HOURS,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "registers/admin/export_job.html", context)

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
                "stalled_note": "",
            }
        )

    def download_view(self, request, job_id: int):
        job = self._job(request, job_id)
        model_admin = self.admin_site._registry.get(import_string(job.spec).model)
        # The export permission may have been withdrawn since the export was asked for.
        if model_admin is None or not model_admin.has_export_permission(request):
            raise PermissionDenied
        try:
            data = export_job_file(job=job)
        except ExportFileGone as exc:
            raise Http404("This export is not ready, or was deleted for its age.") from exc
        file_format = import_string(job.file_format)()
        response = HttpResponse(data, content_type=file_format.get_content_type())
        response["Content-Disposition"] = f'attachment; filename="{job.file_name}"'
        return response
