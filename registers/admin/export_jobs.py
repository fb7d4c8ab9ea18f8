"""A background export's page: a progress bar while a worker writes the file,
then its download. Only the user who asked for it (or a superuser) sees it,
and only while they may still export that register."""

from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.template.response import TemplateResponse
from django.utils.module_loading import import_string

from registers.admin.jobs import OwnJobAdmin
from registers.models import ExportJob
from registers.services.export_jobs import ExportFileGone, export_job_file


@admin.register(ExportJob)
class ExportJobAdmin(OwnJobAdmin):
    """Reached from a large export, not from the menu."""

    deferred = ("ids",)

    def get_urls(self):
        return self.job_urls(
            progress=self.progress_view,
            status=self.status_view,
            download=self.download_view,
        )

    def progress_view(self, request, job_id: int):
        job = self._job(request, job_id)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Export to {job.file_name}",
            "opts": self.opts,
            "job": job,
            "status_url": self._url("status", job),
            "download_url": self._url("download", job),
            "keep_hours": settings.EXPORT_KEEP_HOURS,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "registers/admin/export_job.html", context)

    def download_view(self, request, job_id: int):
        job = self._job(request, job_id)
        model_admin = self.register_admin(job)
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
