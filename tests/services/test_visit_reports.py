"""The visit reports service: issuing a completed visit's report as a versioned
PDF emailed to the provider with a response deadline, and recording the
provider's response; who may do each, within their own council."""

import io
from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from pypdf import PdfReader

from registers.models import ActionItem, Visit, VisitReport
from registers.selectors.visit_reports import (
    responses_overdue_for_officer,
    with_response_overdue,
)
from registers.services.visit_reports import (
    visit_report_issue,
    visit_report_record_response,
)
from tests.factories import (
    ActionItemFactory,
    AuthorityFactory,
    CompletedVisitFactory,
    VisitFactory,
    home_authority,
    today,
)

pytestmark = pytest.mark.django_db


def pdf_text(report: VisitReport) -> str:
    with report.file.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    return "\n".join(page.extract_text() for page in reader.pages)


def errors(excinfo) -> dict:
    return excinfo.value.message_dict


class TestIssue:
    def test_a_completed_visit_gets_version_one_then_two(self, qa1):
        visit = CompletedVisitFactory(lead_officer=qa1)
        first = visit_report_issue(visit=visit, user=qa1)
        second = visit_report_issue(visit=visit, user=qa1)
        assert [r.version for r in VisitReport.objects.filter(visit=visit)] == [2, 1]
        assert first.file.name != second.file.name
        assert "-v1" in first.file.name and "-v2" in second.file.name
        stored = Visit.objects.get(pk=visit.pk)
        assert stored.status == "report_issued"
        assert stored.report_issued_on == today()
        # History keeps each version's issue, with its reason.
        reasons = set(
            VisitReport.history.filter(visit=visit).values_list("history_change_reason", flat=True)
        )
        assert reasons == {
            "Report version 1 issued to manager@provider.example",
            "Report version 2 issued to manager@provider.example",
        }
        # The visit moved once (the second issue, the same day, changed nothing of it).
        assert stored.history.first().history_change_reason == "Visit report version 1 issued"

    @pytest.mark.parametrize("status", ["planned", "cancelled"])
    def test_a_visit_not_completed_is_refused_and_nothing_is_stored(self, qa1, status):
        visit = VisitFactory(lead_officer=qa1, status=status, cancellation_reason="Closed")
        with pytest.raises(ValidationError) as excinfo:
            visit_report_issue(visit=visit, user=qa1)
        assert "complete the visit first" in errors(excinfo)["status"][0]
        assert not VisitReport.objects.exists()
        assert Visit.objects.get(pk=visit.pk).status == status

    def test_the_response_deadline_skips_bank_holidays(self, qa1):
        visit = CompletedVisitFactory(lead_officer=qa1, actual_date=date(2026, 11, 2))
        # Friday 18/12/2026: Christmas (Fri), Boxing Day's substitute (Mon 28th) and
        # New Year's Day (Fri) fall in the ten working days.
        report = visit_report_issue(visit=visit, user=qa1, today=date(2026, 12, 18))
        assert report.response_due == date(2027, 1, 6)

    def test_the_deadline_is_a_setting(self, qa1, settings):
        settings.VISIT_REPORT_RESPONSE_DAYS = 1
        visit = CompletedVisitFactory(lead_officer=qa1, actual_date=date(2026, 11, 2))
        report = visit_report_issue(visit=visit, user=qa1, today=date(2026, 11, 20))  # a Friday
        assert report.response_due == date(2026, 11, 23)

    def test_the_pdf_carries_the_visit_and_its_action_plan(self, qa1):
        visit = CompletedVisitFactory(lead_officer=qa1, rag="red")
        ActionItemFactory(visit=visit, description="Fix the fire door on the landing")
        ActionItemFactory(visit=visit, description="Send the revised night rota")
        report = visit_report_issue(visit=visit, user=qa1)
        text = pdf_text(report)
        for expected in (
            home_authority().name,
            visit.setting.display_name,
            visit.setting.provider.name,
            "Night staffing was below the rota",
            "Review the night rota",
            "Red",
            "Fix the fire door on the landing",
            "Send the revised night rota",
            visit.actual_date.strftime("%d/%m/%Y"),
            report.response_due.strftime("%d/%m/%Y"),
            qa1.get_full_name(),
            "Version 1",
        ):
            assert expected in text, expected

    def test_the_pdf_names_only_its_own_council_and_its_own_actions(self, qa1):
        other = AuthorityFactory(name="Neighbouring Borough Council")
        theirs = CompletedVisitFactory(authority=other)
        ActionItemFactory(visit=theirs, description="Their secret action")
        home_authority().members.add(qa1)
        visit = CompletedVisitFactory(lead_officer=qa1)
        text = pdf_text(visit_report_issue(visit=visit, user=qa1))
        assert "Neighbouring Borough Council" not in text
        assert "Their secret action" not in text
        assert home_authority().name in text

    def test_the_provider_is_emailed_the_pdf_after_commit(
        self, qa1, django_capture_on_commit_callbacks
    ):
        visit = CompletedVisitFactory(lead_officer=qa1)
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            report = visit_report_issue(visit=visit, user=qa1)
        assert mail.outbox == []  # nothing before the commit
        for callback in callbacks:
            callback()
        [message] = mail.outbox
        assert message.to == ["manager@provider.example"]
        assert report.response_due.strftime("%d/%m/%Y") in message.body
        [(name, content, mimetype)] = message.attachments
        assert name == f"visit-report-{visit.pk}-v1.pdf" and mimetype == "application/pdf"
        assert content.startswith(b"%PDF")

    def test_an_address_the_officer_gives_replaces_the_main_contact(
        self, qa1, django_capture_on_commit_callbacks
    ):
        visit = CompletedVisitFactory(lead_officer=qa1)
        with django_capture_on_commit_callbacks(execute=True):
            report = visit_report_issue(visit=visit, user=qa1, sent_to="ri@provider.example")
        assert report.sent_to == "ri@provider.example"
        assert mail.outbox[0].to == ["ri@provider.example"]

    def test_no_address_at_all_is_refused_naming_the_field(self, qa1):
        visit = CompletedVisitFactory(lead_officer=qa1, setting__provider__contact_email="")
        with pytest.raises(ValidationError) as excinfo:
            visit_report_issue(visit=visit, user=qa1)
        assert "email address" in errors(excinfo)["sent_to"][0]
        with pytest.raises(ValidationError) as excinfo:
            visit_report_issue(visit=visit, user=qa1, sent_to="not an address")
        assert "is not an email address" in errors(excinfo)["sent_to"][0]
        assert not VisitReport.objects.exists()


class TestWhoMayIssue:
    def test_the_lead_and_managers_may(self, qa1, manager):
        visit = CompletedVisitFactory(lead_officer=qa1)
        assert visit_report_issue(visit=visit, user=qa1).version == 1
        assert visit_report_issue(visit=visit, user=manager).version == 2

    @pytest.mark.parametrize("role", ["qa2", "support", "officer", "auditor"])
    def test_others_may_not(self, request, qa1, role):
        visit = CompletedVisitFactory(lead_officer=qa1)
        user = request.getfixturevalue(role)
        with pytest.raises(ValidationError, match="not a visit whose report"):
            visit_report_issue(visit=visit, user=user)
        assert not VisitReport.objects.exists()

    def test_a_manager_of_another_council_may_not(self, manager, qa1):
        ours = home_authority()
        theirs = AuthorityFactory(name="Other Council")
        theirs.members.add(manager)
        ours.members.add(qa1)
        visit = CompletedVisitFactory(lead_officer=qa1, authority=ours)
        with pytest.raises(ValidationError, match="not a visit whose report"):
            visit_report_issue(visit=visit, user=manager)


class TestResponse:
    def test_the_response_is_recorded_with_its_history(self, qa1):
        report = visit_report_issue(visit=CompletedVisitFactory(lead_officer=qa1), user=qa1)
        visit_report_record_response(
            report=report, user=qa1, response="Rota revised from Monday.", received_on=today()
        )
        stored = VisitReport.objects.get(pk=report.pk)
        assert stored.provider_response == "Rota revised from Monday."
        assert stored.response_received_on == today()
        assert stored.response_recorded_by == qa1
        assert stored.history.first().history_change_reason == "Provider's response recorded"

    @pytest.mark.parametrize(
        "response, received, field, message",
        [
            ("", 0, "provider_response", "Record the provider's response."),
            ("Noted", 1, "response_received_on", "cannot be received in the future"),
            ("Noted", -30, "response_received_on", "before the report was issued"),
        ],
    )
    def test_bad_responses_are_refused(self, qa1, response, received, field, message):
        report = visit_report_issue(visit=CompletedVisitFactory(lead_officer=qa1), user=qa1)
        with pytest.raises(ValidationError) as excinfo:
            visit_report_record_response(
                report=report,
                user=qa1,
                response=response,
                received_on=today() + timedelta(days=received),
            )
        assert message in errors(excinfo)[field][0]
        assert VisitReport.objects.get(pk=report.pk).response_received_on is None

    @pytest.mark.parametrize("role", ["qa2", "support", "auditor"])
    def test_only_who_may_change_the_visit_records_it(self, request, qa1, role):
        report = visit_report_issue(visit=CompletedVisitFactory(lead_officer=qa1), user=qa1)
        with pytest.raises(ValidationError, match="not a visit whose report"):
            visit_report_record_response(
                report=report, user=request.getfixturevalue(role), response="x", received_on=today()
            )

    def test_a_manager_records_it(self, qa1, manager):
        report = visit_report_issue(visit=CompletedVisitFactory(lead_officer=qa1), user=qa1)
        visit_report_record_response(
            report=report, user=manager, response="Agreed", received_on=today()
        )
        assert VisitReport.objects.get(pk=report.pk).response_recorded_by == manager


class TestOverdue:
    def test_a_deadline_passed_with_no_response_is_overdue_on_the_latest_version(self, qa1):
        visit = CompletedVisitFactory(lead_officer=qa1)
        report = visit_report_issue(visit=visit, user=qa1)
        later = report.response_due + timedelta(days=1)
        flagged = with_response_overdue(Visit.objects.filter(pk=visit.pk), today=later).get()
        assert flagged.response_overdue
        assert list(responses_overdue_for_officer(user=qa1, today=later)) == [report]
        on_time = with_response_overdue(
            Visit.objects.filter(pk=visit.pk), today=report.response_due
        ).get()
        assert not on_time.response_overdue

    def test_a_response_or_a_new_version_clears_it(self, qa1):
        visit = CompletedVisitFactory(lead_officer=qa1, actual_date=today() - timedelta(days=40))
        first = visit_report_issue(visit=visit, user=qa1, today=today() - timedelta(days=30))
        assert list(responses_overdue_for_officer(user=qa1, today=today())) == [first]
        second = visit_report_issue(visit=visit, user=qa1)
        assert list(responses_overdue_for_officer(user=qa1, today=today())) == []
        after = second.response_due + timedelta(days=1)
        assert list(responses_overdue_for_officer(user=qa1, today=after)) == [second]
        visit_report_record_response(report=second, user=qa1, response="Done", received_on=today())
        assert list(responses_overdue_for_officer(user=qa1, today=after)) == []

    def test_another_officers_visits_are_not_mine(self, qa1, qa2):
        visit_report_issue(visit=CompletedVisitFactory(lead_officer=qa2), user=qa2)
        far = today() + timedelta(days=60)
        assert list(responses_overdue_for_officer(user=qa1, today=far)) == []
        assert ActionItem.objects.count() == 0
