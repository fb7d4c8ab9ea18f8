"""Import and export on each register's list, through django-import-export's
admin views and Unfold's forms, with the portal's own all-or-nothing engine.

An import is two steps: upload (a dry run that shows counts, problems and a
preview of changes) and confirm (the same file, held server-side, written).
"""

import secrets
from collections.abc import Callable
from dataclasses import dataclass

import tablib
from django.conf import settings
from django.contrib import messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.text import slugify
from import_export.admin import ImportExportMixin
from import_export.formats import base_formats
from unfold.contrib.import_export.forms import ExportForm, ImportForm

from registers.importing.columns import example_row
from registers.importing.engine import Column, Spec
from registers.importing.export import EXPORT_FORMATS, resource_class
from registers.importing.plans import CLEAR_MARKER
from registers.importing.results import ImportResult
from registers.services.held_uploads import (
    HeldUploadGone,
    held_upload_delete,
    held_upload_save,
    held_upload_take,
)
from registers.services.imports import import_file
from registers.services.tasks import export_job_start, import_job_start, import_preview_start

SESSION_KEY = "portal_pending_imports"
HELD_PER_SESSION = 5  # uploads awaiting confirmation per session; older ones are deleted
BLANK_CELLS = (
    f"A blank cell leaves the stored value as it is; to empty a stored value, write "
    f"{CLEAR_MARKER} in the cell."
)


def spec_runner(spec_class: type[Spec]) -> Callable[..., ImportResult]:
    def run(**kwargs) -> ImportResult:
        return import_file(spec=spec_class(), **kwargs)

    run.spec_class = spec_class  # a large import names the Spec for its worker
    return run


class SpreadsheetFormat(base_formats.Format):
    """One choice: the file's own extension decides how it is read."""

    def get_title(self):
        return "CSV, Excel (.xlsx) or OpenDocument (.ods), by file extension"

    def is_binary(self):
        return True

    def get_read_mode(self):
        return "rb"

    def can_import(self):
        return True


@dataclass(frozen=True)
class ImportFlow:
    key: str
    title: str
    run: Callable[..., ImportResult]  # (data=, file_name=, user=, dry_run=)
    upload_url: str
    confirm_url: str
    columns: list[Column]
    template_url: str | None = None
    intro: str = ""


class SpreadsheetAdminMixin(ImportExportMixin):
    import_form_class = ImportForm
    export_form_class = ExportForm
    import_template_name = "registers/admin/import.html"
    spec_class = None

    # --- formats and resources ---------------------------------------------------

    def get_import_formats(self):
        return [SpreadsheetFormat]

    def get_export_formats(self):
        return EXPORT_FORMATS

    def export_columns(self, request) -> list[Column]:
        """Only the columns of fields this user may see on the record's page."""
        visible = self.visible_field_names(request)
        return [
            column
            for column in self.spec_class.columns
            if column.field is None or column.field == "id" or column.field in visible
        ]

    def visible_field_names(self, request) -> set[str]:
        names: set[str] = set()
        for _, options in self.get_fieldsets(request, None):
            for entry in options["fields"]:
                names.update(entry if isinstance(entry, list | tuple) else [entry])
        return names | set(self.get_readonly_fields(request, None))

    def get_resource_classes(self, request):
        return [resource_class(self.spec_class, self.export_columns(request))]

    def get_import_resource_classes(self, request):
        return [resource_class(self.spec_class, self.spec_class().importable_columns())]

    def export_action(self, request):
        # The export reads the list's filters from the query string; a filter the list
        # does not have is the user's mistake, not a server error.
        try:
            return super().export_action(request)
        except IncorrectLookupParameters:
            messages.error(
                request, "That link has filters this list does not have: export from the list."
            )
            return HttpResponseRedirect(self._url("changelist"))

    def _do_file_export(self, file_format, request, queryset, export_form=None):
        # import-export's hook that writes the file in the request: a large list's
        # file is written by a worker instead, and its page offers the download.
        ids = list(queryset.values_list("pk", flat=True)[: settings.EXPORT_BACKGROUND_ROWS + 1])
        if len(ids) <= settings.EXPORT_BACKGROUND_ROWS:
            return super()._do_file_export(file_format, request, queryset, export_form)
        related = self.list_select_related
        job = export_job_start(
            user=request.user,
            spec_path=f"{self.spec_class.__module__}.{self.spec_class.__qualname__}",
            format_path=f"{type(file_format).__module__}.{type(file_format).__qualname__}",
            columns=[column.header for column in self.export_columns(request)],
            ids=list(queryset.values_list("pk", flat=True)),
            select_related=list(related) if isinstance(related, list | tuple) else [],
            file_name=self.get_export_filename(request, queryset, file_format),
            return_url=self._url("changelist"),
        )
        return HttpResponseRedirect(reverse("admin:registers_exportjob_progress", args=[job.pk]))

    def get_export_filename(self, request, queryset, file_format):
        today = timezone.localdate()
        return f"{slugify(self.spec_class.label)}-{today:%Y-%m-%d}.{file_format.get_extension()}"

    # --- import flows ------------------------------------------------------------

    def _url(self, name: str) -> str:
        return reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_{name}")

    def spreadsheet_flow(self) -> ImportFlow:
        spec = self.spec_class()
        return ImportFlow(
            key="spreadsheet",
            title=f"Import {spec.label.lower()}",
            run=spec_runner(self.spec_class),
            upload_url=self._url("import"),
            confirm_url=self._url("process_import"),
            columns=spec.importable_columns(),
            template_url=self._url("import_template"),
            intro=(
                "The first row names the columns. A row updates the record with the same key; "
                "other rows are added. Every row meets the same rules as the record's own "
                "page, and nothing is written if any row has a problem. " + BLANK_CELLS
            ),
        )

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "import/template/",
                self.admin_site.admin_view(self.import_template_view),
                name="%s_%s_import_template" % info,
            ),
        ] + super().get_urls()

    def import_action(self, request, **kwargs):
        return self.import_upload(request, self.spreadsheet_flow())

    def process_import(self, request, **kwargs):
        return self.import_confirm(request, self.spreadsheet_flow())

    def import_upload(self, request, flow: ImportFlow):
        if not self.has_import_permission(request):
            raise PermissionDenied
        form = self.create_import_form(request)
        context = {"flow": flow}
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["import_file"]
            data = upload.read()
            spec_class = getattr(flow.run, "spec_class", None)
            if spec_class and len(data) > settings.IMPORT_PREVIEW_BACKGROUND_BYTES:
                # Large: even the check runs on a worker, with a progress bar; its
                # page shows the preview and asks for the confirmation.
                job = import_preview_start(
                    user=request.user,
                    spec_path=f"{spec_class.__module__}.{spec_class.__qualname__}",
                    data=data,
                    file_name=upload.name,
                    return_url=self._url("changelist"),
                )
                return HttpResponseRedirect(
                    reverse("admin:registers_importjob_progress", args=[job.pk])
                )
            result = flow.run(data=data, file_name=upload.name, user=request.user, dry_run=True)
            context["result"] = result
            if result.ok:
                context["confirm_token"] = self._hold_upload(request, data, result, flow)
        return self._import_page(request, flow, form, context)

    def import_confirm(self, request, flow: ImportFlow):
        if not self.has_import_permission(request):
            raise PermissionDenied
        if request.method != "POST":
            return HttpResponseRedirect(flow.upload_url)
        pending = request.session.get(SESSION_KEY, {})
        held = pending.pop(request.POST.get("token", ""), None)
        request.session[SESSION_KEY] = pending
        if held is None or held["flow"] != f"{self.opts.label}:{flow.key}":
            messages.error(
                request, "That import has expired or was already confirmed: upload the file again."
            )
            return HttpResponseRedirect(flow.upload_url)
        if "cancel" in request.POST:
            held_upload_delete(name=held["name"])
            messages.info(
                request, f"Import of {held['file_name']} cancelled: nothing was imported."
            )
            return HttpResponseRedirect(flow.upload_url)
        spec_class = getattr(flow.run, "spec_class", None)
        if spec_class and held.get("rows", 0) > settings.IMPORT_BACKGROUND_ROWS:
            # Large: a worker imports the held file (checking the preview's versions
            # as this request would); this request only queues it.
            job = import_job_start(
                user=request.user,
                spec_path=f"{spec_class.__module__}.{spec_class.__qualname__}",
                held_name=held["name"],
                file_name=held["file_name"],
                rows_total=held["rows"],
                return_url=self._url("changelist"),
            )
            return HttpResponseRedirect(
                reverse("admin:registers_importjob_progress", args=[job.pk])
            )
        try:
            data, versions = held_upload_take(name=held["name"])
        except HeldUploadGone:
            messages.error(
                request,
                "The uploaded file is no longer available (uploads not confirmed within "
                f"{settings.IMPORT_HELD_HOURS} hours are deleted): upload it again.",
            )
            return HttpResponseRedirect(flow.upload_url)
        result = flow.run(
            data=data,
            file_name=held["file_name"],
            user=request.user,
            dry_run=False,
            preview_versions=versions,
        )
        if not result.written:
            return self._import_page(
                request, flow, self.create_import_form(request), {"result": result}
            )
        messages.success(
            request,
            f"Imported {result.file_name}{f' ({result.kind})' if result.kind else ''}: "
            + "; ".join(result.summary_lines())
            + ".",
        )
        for line in result.follow_up:
            messages.info(request, line)
        if result.kind and result.run_id and request.user.has_perm("registers.view_importrun"):
            # An Ofsted file: the run's page, its "what changed" report downloadable as CSV.
            return HttpResponseRedirect(
                reverse("admin:registers_importrun_change", args=[result.run_id])
            )
        return HttpResponseRedirect(self._url("changelist"))

    def _import_page(self, request, flow: ImportFlow, form, extra: dict):
        context = {
            **self.admin_site.each_context(request),
            "title": flow.title,
            "flow": flow,
            "form": form,
            "opts": self.opts,
            "media": self.media + form.media,
            **extra,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, [self.import_template_name], context)

    def _hold_upload(self, request, data: bytes, result: ImportResult, flow: ImportFlow) -> str:
        """Keep the checked file server-side until the same user confirms or cancels it."""
        name = held_upload_save(data=data, versions=result.read_versions)
        token = secrets.token_urlsafe(16)
        pending = request.session.get(SESSION_KEY, {})
        pending[token] = {
            "name": name,
            "file_name": result.file_name,
            "flow": f"{self.opts.label}:{flow.key}",
            "rows": result.rows_read,
        }
        tokens = list(pending)
        for old in tokens[:-HELD_PER_SESSION]:
            # Pushed out of the session: nobody can confirm it any more.
            held_upload_delete(name=pending.pop(old)["name"])
        request.session[SESSION_KEY] = pending
        return token

    def import_template_view(self, request):
        if not self.has_import_permission(request):
            raise PermissionDenied
        columns = self.spec_class().importable_columns()
        dataset = tablib.Dataset(headers=[column.header for column in columns])
        # One example row, marked: the import skips it (columns.EXAMPLE_MARK).
        dataset.append(example_row(columns))
        name = slugify(self.spec_class.label)
        if request.GET.get("format") == "csv":
            response = HttpResponse(dataset.export("csv"), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="{name}-template.csv"'
            return response
        response = HttpResponse(
            dataset.export("xlsx"),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{name}-template.xlsx"'
        return response
