"""A background job's pages (an import's, an export's): reached from the list
that started it, not from the menu. Only the user who started a job (or a
superuser) sees it; its change page is its progress page."""

from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.urls import path, reverse
from django.utils.module_loading import import_string
from unfold.admin import ModelAdmin


class OwnJobAdmin(ModelAdmin):
    list_display = ["file_name", "status", "rows_total", "created_at", "user"]
    list_select_related = ["user"]
    list_display_links = None
    show_full_result_count = False
    # Columns the job's pages never read (an export's ids can be 100,000 long).
    deferred: tuple[str, ...] = ()

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
        queryset = super().get_queryset(request).defer(*self.deferred)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(user=request.user)

    def _name(self, view: str) -> str:
        return f"{self.opts.app_label}_{self.opts.model_name}_{view}"

    def _url(self, view: str, job) -> str:
        return reverse(f"admin:{self._name(view)}", args=[job.pk])

    def _progress_url(self, job) -> str:
        return self._url("progress", job)

    def job_urls(self, **views) -> list:
        """The job's own pages (progress, status.json, ...) by name, then the admin's."""
        routes = {"status": "status.json"}
        return [
            path(
                f"<int:job_id>/{routes.get(name, name + '/')}",
                self.admin_site.admin_view(view),
                name=self._name(name),
            )
            for name, view in views.items()
        ] + super().get_urls()

    def register_admin(self, job):
        """The admin of the register the job reads or writes (its Spec's model)."""
        return self.admin_site._registry.get(import_string(job.spec).model)

    def stalled_note(self, job) -> str:
        return ""

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
                "stalled_note": self.stalled_note(job),
            }
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if not str(object_id).isdigit():
            raise Http404("No such job.")
        return HttpResponseRedirect(self._progress_url(self._job(request, int(object_id))))

    def _job(self, request, job_id: int):
        job = self.model.objects.defer(*self.deferred).filter(pk=job_id).first()
        if job is None or not (job.user_id == request.user.pk or request.user.is_superuser):
            raise Http404(f"No such {self.opts.verbose_name}.")
        return job
