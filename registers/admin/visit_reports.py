"""A visit's reports on its page: Issue report, Record provider response, the
draft preview, and every issued version with its PDF."""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.urls import path
from django.utils import timezone
from django.utils.html import format_html
from unfold.decorators import action, display

from registers.admin.action_pages import ActionPage
from registers.admin.display import uk_date
from registers.admin.forms import ActionForm
from registers.admin.inlines import SummaryTabularInline
from registers.admin.permissions import request_cache
from registers.models import VisitReport
from registers.permissions import can
from registers.selectors.visit_reports import latest_report, response_overdue_visit_q
from registers.services.visit_reports import (
    ISSUABLE,
    visit_report_issue,
    visit_report_issue_allowed,
    visit_report_pdf,
    visit_report_recipient,
    visit_report_record_response,
    visit_report_response_allowed,
)


class VisitReportInline(SummaryTabularInline):
    """Every issued version, newest first: read-only (a report is re-issued, never edited)."""

    model = VisitReport
    show_change_link = False  # the PDF link is the record
    verbose_name_plural = "Reports issued"
    fields = ["version", "issued", "issuer", "sent_to", "due", "response", "pdf"]
    readonly_fields = fields
    ordering = ["-version"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("issued_by")

    @display(description="Issued")
    def issued(self, obj):
        return timezone.localtime(obj.issued_at).strftime("%d/%m/%Y %H:%M")

    @display(description="Issued by")
    def issuer(self, obj):
        # A name, not a link to the user's page (which only managers may open).
        user = obj.issued_by
        return (user.get_full_name() or user.username) if user else "-"

    @display(description="Response due")
    def due(self, obj):
        return uk_date(obj.response_due)

    @display(description="Provider's response")
    def response(self, obj):
        if obj.response_received_on is None:
            return "Awaited"
        return f"Received {uk_date(obj.response_received_on)}: {obj.provider_response}"

    @display(description="PDF")
    def pdf(self, obj):
        if not obj.file:
            return "-"
        return format_html(
            '<a class="text-primary-600 underline" href="{}">Download version {}</a>',
            obj.file.url,
            obj.version,
        )


class ResponseOverdueFilter(admin.SimpleListFilter):
    title = "provider's response"
    parameter_name = "response"

    def lookups(self, request, model_admin):
        return [("overdue", "Response overdue")]

    def queryset(self, request, queryset):
        if self.value() == "overdue":
            return queryset.filter(response_overdue_visit_q(today=timezone.localdate()))
        return queryset


class IssueReportForm(ActionForm):
    sent_to = forms.EmailField(
        label="Send the report to",
        help_text="The provider's main contact, unless you give another address.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance_obj is not None:
            self.fields["sent_to"].initial = visit_report_recipient(visit=self.instance_obj)


class ResponseForm(ActionForm):
    received_on = forms.DateField(label="Response received on", initial=timezone.localdate)
    response = forms.CharField(
        label="The provider's response", widget=forms.Textarea(attrs={"rows": 6})
    )


def _issue(visit, data, user) -> str:
    report = visit_report_issue(visit=visit, user=user, sent_to=data["sent_to"])
    return (
        f"Report version {report.version} issued to {report.sent_to}; "
        f"the provider's response is due by {report.response_due:%d/%m/%Y}."
    )


def _record_response(visit, data, user) -> str:
    report = latest_report(visit=visit)
    if report is None:
        raise ValidationError("This visit has no report issued in the portal.")
    visit_report_record_response(
        report=report, user=user, response=data["response"], received_on=data["received_on"]
    )
    return f"The provider's response to report version {report.version} is recorded."


VISIT_REPORT_PAGES = (
    ActionPage(
        name="issue_report",
        label="Issue report",
        icon="outgoing_mail",
        form=IssueReportForm,
        title="Issue the visit report",
        run=_issue,
        allowed=lambda visit, user: visit_report_issue_allowed(visit=visit, user=user),
        submit_label="Issue and email the report",
        intro="The report (a PDF of the findings, RAG, recommendations and action plan) is "
        "kept as a new version and emailed to the provider, who is asked to respond within "
        "the council's response time. Use Preview report to read it first.",
    ),
    ActionPage(
        name="record_response",
        label="Record provider response",
        icon="mark_email_read",
        form=ResponseForm,
        title="Record the provider's response",
        run=_record_response,
        allowed=lambda visit, user: visit_report_response_allowed(visit=visit, user=user),
        submit_label="Record the response",
        field_map={"provider_response": "response", "response_received_on": "received_on"},
    ),
)


class VisitReportPreviewMixin:
    """Preview report: the PDF as it would be issued now, marked as a draft."""

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/report-preview/",
                self.admin_site.admin_view(self.report_preview_view),
                name="%s_%s_report_preview" % info,
            )
        ] + super().get_urls()

    def _previewable(self, request, object_id):
        visit = request_cache(
            request,
            ("action-page-object", self.model._meta.label, object_id),
            lambda: self.get_object(request, object_id),
        )
        if visit is None or visit.status not in ISSUABLE or not can(request.user, "view", visit):
            return None
        return visit

    def has_report_preview_permission(self, request, object_id=None):
        return object_id is not None and self._previewable(request, object_id) is not None

    def report_preview_view(self, request, object_id):
        visit = self._previewable(request, object_id)
        if visit is None:
            raise PermissionDenied
        pdf = visit_report_pdf(visit=visit)
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="visit-report-{visit.pk}-draft.pdf"'
        return response

    @action(
        description="Preview report",
        url_path="report-preview",
        permissions=["report_preview"],
        icon="picture_as_pdf",
    )
    def report_preview(self, request, object_id):
        return self.report_preview_view(request, object_id)
