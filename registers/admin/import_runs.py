"""Import runs: each file imported, read-only, with its "what changed" report
shown on the page and downloadable as CSV."""

from collections import Counter

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from unfold.admin import ModelAdmin
from unfold.decorators import display

from registers.admin.permissions import WrittenByThePortalMixin
from registers.models import ImportRun
from registers.models.imports import REPORT_SECTIONS
from registers.services.import_runs import import_run_csv


@admin.register(ImportRun)
class ImportRunAdmin(WrittenByThePortalMixin, ModelAdmin):
    list_display = ["file_name", "kind", "user", "imported", "rows_read", "changed"]
    list_filter = ["kind"]
    search_fields = ["file_name"]
    list_select_related = ["user"]
    fields = [
        "file_name",
        "kind",
        "user",
        "imported",
        "rows_read",
        "counts_table",
        "report_table",
        "warnings_list",
        "follow_up_list",
    ]
    readonly_fields = fields

    def get_urls(self):
        return [
            path(
                "<path:object_id>/report.csv",
                self.admin_site.admin_view(self.report_csv_view),
                name="registers_importrun_report",
            ),
        ] + super().get_urls()

    def report_csv_view(self, request, object_id):
        if not self.has_view_permission(request):
            raise PermissionDenied
        run = ImportRun.objects.filter(pk=object_id).first() if object_id.isdigit() else None
        if run is None:
            raise Http404
        response = HttpResponse(import_run_csv(run=run), content_type="text/csv; charset=utf-8")
        name = run.file_name.rsplit(".", 1)[0] or "import"
        response["Content-Disposition"] = f'attachment; filename="what-changed-{name}.csv"'
        return response

    @display(description="Imported", ordering="imported_at")
    def imported(self, obj):
        return obj.imported_at and obj.imported_at.strftime("%d/%m/%Y %H:%M")

    @display(description="What changed")
    def changed(self, obj):
        sections = Counter(line["section"] for line in obj.report)
        parts = [f"{REPORT_SECTIONS[s]}: {n}" for s, n in sections.items() if s in REPORT_SECTIONS]
        return "; ".join(parts) or "Nothing to report"

    @display(description="Counts")
    def counts_table(self, obj):
        rows = format_html_join(
            "",
            "<tr><th scope='row'>{}</th><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (label, c["created"], c["updated"], c["unchanged"], c["skipped"])
                for label, c in obj.counts.items()
            ),
        )
        return format_html(
            "<table class='portal-table'><thead><tr><th scope='col'>Records</th>"
            "<th scope='col'>New</th><th scope='col'>Updated</th><th scope='col'>Unchanged</th>"
            "<th scope='col'>Skipped</th></tr></thead><tbody>{}</tbody></table>",
            rows,
        )

    @display(description="What changed")
    def report_table(self, obj):
        link = format_html(
            "<p class='mb-2'><a class='text-primary-700 underline' href='{}'>Download the "
            "report as CSV</a></p>",
            reverse("admin:registers_importrun_report", args=[obj.pk]),
        )
        if not obj.report:
            return format_html("{}<p>Nothing to report.</p>", link)
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    REPORT_SECTIONS.get(line["section"], line["section"]),
                    line["urn"],
                    line["setting"],
                    line["local_authority"],
                    line["detail"],
                )
                for line in obj.report[:500]
            ),
        )
        more = (
            format_html(
                "<p>The first 500 of {} lines: download the CSV for all.</p>", len(obj.report)
            )
            if len(obj.report) > 500
            else ""
        )
        return format_html(
            "{}<table class='portal-table'><caption class='sr-only'>What the import changed"
            "</caption><thead><tr><th scope='col'>Section</th><th scope='col'>URN</th>"
            "<th scope='col'>Setting</th><th scope='col'>Local authority</th>"
            "<th scope='col'>Detail</th></tr></thead><tbody>{}</tbody></table>{}",
            link,
            rows,
            more,
        )

    @display(description="Warnings (imported as published)")
    def warnings_list(self, obj):
        if not obj.warnings:
            return "None"
        return format_html(
            "<ol class='portal-problems'>{}</ol>",
            format_html_join("", "<li>{}</li>", ((w,) for w in obj.warnings[:500])),
        )

    @display(description="Follow-up")
    def follow_up_list(self, obj):
        return format_html_join("", "<p>{}</p>", ((line,) for line in obj.follow_up)) or "None"
