"""The visit report's pages: Issue report, Preview report, Record provider
response and the reports on the visit's page; the PDF served only to those who
may see the visit; the overdue flag on the visit list and My visits; every
role's path; and the pages' query counts."""

import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_tasks import default_task_backend
from pypdf import PdfReader

from registers import roles
from registers.models import Visit, VisitReport
from registers.services.visit_reports import visit_report_issue
from tests.factories import (
    ActionItemFactory,
    AuthorityFactory,
    CompletedVisitFactory,
    VisitFactory,
    VisitReportFactory,
    home_authority,
    today,
)

pytestmark = pytest.mark.django_db


def url(name: str, visit) -> str:
    return reverse(f"admin:registers_visit_{name}", args=[visit.pk])


def pdf_text(content: bytes) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)


def download(client, report) -> bytes:
    response = client.get(report.file.url)
    assert response.status_code == 200
    return b"".join(response.streaming_content)


class TestIssuePage:
    def test_the_lead_issues_the_report_from_the_visits_page(
        self, qa1, client_for, django_capture_on_commit_callbacks, settings
    ):
        # The email is queued, after commit, for a worker (the task itself is tested
        # with the services); a queue that only records keeps this test independent of
        # the storage other tests swap.
        settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
        default_task_backend.clear()
        visit = CompletedVisitFactory(lead_officer=qa1)
        ActionItemFactory(visit=visit, description="Repair the garden fence")
        client = client_for(qa1)
        page = client.get(url("change", visit)).content.decode()
        assert url("issue_report_page", visit) in page
        assert url("report_preview", visit) in page
        form = client.get(url("issue_report_page", visit))
        assert form.status_code == 200
        assert 'value="manager@provider.example"' in form.content.decode()
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                url("issue_report_page", visit), {"sent_to": "ri@provider.example"}
            )
        assert response.status_code == 302
        report = VisitReport.objects.get(visit=visit)
        assert report.version == 1 and report.sent_to == "ri@provider.example"
        assert Visit.objects.get(pk=visit.pk).status == "report_issued"
        (queued,) = default_task_backend.results
        assert queued.task.name == "email_send_task"
        assert queued.kwargs["recipients"] == ["ri@provider.example"]
        # The version is on the visit's page, with its PDF.
        page = client.get(url("change", visit)).content.decode()
        assert "Download version 1" in page and report.file.url in page
        text = pdf_text(download(client, report))
        assert "Repair the garden fence" in text and "Amber" in text

    def test_a_planned_visit_offers_no_issue_and_refuses_a_forged_post(self, qa1, client_for):
        visit = VisitFactory(lead_officer=qa1)
        client = client_for(qa1)
        page = client.get(url("change", visit)).content.decode()
        assert url("issue_report_page", visit) not in page
        assert url("report_preview", visit) not in page
        assert client.get(url("issue_report_page", visit)).status_code == 403
        assert (
            client.post(url("issue_report_page", visit), {"sent_to": "a@b.example"}).status_code
            == 403
        )
        assert client.get(url("report_preview", visit)).status_code == 403
        assert not VisitReport.objects.exists()

    def test_a_bad_address_is_a_form_error_and_nothing_is_issued(self, qa1, client_for):
        visit = CompletedVisitFactory(lead_officer=qa1)
        response = client_for(qa1).post(url("issue_report_page", visit), {"sent_to": "nope"})
        assert response.status_code == 200
        assert "Enter a valid email address" in response.content.decode()
        assert not VisitReport.objects.exists()

    def test_the_preview_is_a_draft_pdf(self, qa1, client_for):
        visit = CompletedVisitFactory(lead_officer=qa1)
        response = client_for(qa1).get(url("report_preview", visit))
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        text = pdf_text(response.content)
        assert "Draft" in text and "Night staffing was below the rota" in text
        assert not VisitReport.objects.exists()

    def test_issuing_again_makes_version_two_both_kept(self, qa1, client_for):
        visit = CompletedVisitFactory(lead_officer=qa1)
        client = client_for(qa1)
        client.post(url("issue_report_page", visit), {"sent_to": "a@provider.example"})
        client.post(url("issue_report_page", visit), {"sent_to": "a@provider.example"})
        page = client.get(url("change", visit)).content.decode()
        assert "Download version 1" in page and "Download version 2" in page


class TestResponsePage:
    def test_the_lead_records_the_response(self, qa1, client_for):
        visit = CompletedVisitFactory(lead_officer=qa1)
        report = visit_report_issue(visit=visit, user=qa1)
        client = client_for(qa1)
        assert (
            url("record_response_page", visit) in client.get(url("change", visit)).content.decode()
        )
        response = client.post(
            url("record_response_page", visit),
            {"received_on": today().strftime("%d/%m/%Y"), "response": "New rota from Monday."},
        )
        assert response.status_code == 302
        report.refresh_from_db()
        assert report.provider_response == "New rota from Monday."
        assert report.response_recorded_by == qa1

    def test_a_date_in_the_future_is_refused_on_its_field(self, qa1, client_for):
        visit = CompletedVisitFactory(lead_officer=qa1)
        visit_report_issue(visit=visit, user=qa1)
        tomorrow = (today() + timedelta(days=1)).strftime("%d/%m/%Y")
        response = client_for(qa1).post(
            url("record_response_page", visit), {"received_on": tomorrow, "response": "x"}
        )
        assert response.status_code == 200
        assert "cannot be received in the future" in response.content.decode()
        assert VisitReport.objects.get(visit=visit).response_received_on is None

    def test_no_report_no_response_page(self, qa1, client_for):
        visit = CompletedVisitFactory(lead_officer=qa1)
        assert client_for(qa1).get(url("record_response_page", visit)).status_code == 403


# Who may do what, on a visit someone else (qa1) leads.
PATHS = {
    roles.MANAGER: {"issue": True, "respond": True, "preview": True, "download": True},
    roles.QA_OFFICER: {"issue": False, "respond": False, "preview": True, "download": True},
    roles.BUSINESS_SUPPORT: {"issue": False, "respond": False, "preview": True, "download": True},
    roles.COMMISSIONING_OFFICER: {
        "issue": False,
        "respond": False,
        "preview": True,
        "download": True,
    },
    roles.AUDITOR: {"issue": False, "respond": False, "preview": True, "download": True},
    roles.REGIONAL_LEAD: {"issue": False, "respond": False, "preview": False, "download": False},
    None: {"issue": False, "respond": False, "preview": False, "download": False},
}


@pytest.mark.parametrize("role", list(PATHS), ids=lambda r: r or "no role")
def test_every_roles_paths_on_anothers_visit(role, make_user, qa1, client_for):
    visit = CompletedVisitFactory(lead_officer=qa1)
    report = visit_report_issue(visit=visit, user=qa1)
    client = client_for(make_user(role))
    expected = PATHS[role]
    got = {
        "issue": client.get(url("issue_report_page", visit)).status_code == 200,
        "respond": client.get(url("record_response_page", visit)).status_code == 200,
        "preview": client.get(url("report_preview", visit)).status_code == 200,
        "download": client.get(report.file.url).status_code == 200,
    }
    assert got == expected
    # Forged posts change nothing.
    client.post(url("issue_report_page", visit), {"sent_to": "x@y.example"})
    client.post(
        url("record_response_page", visit),
        {"received_on": today().strftime("%d/%m/%Y"), "response": "forged"},
    )
    versions = VisitReport.objects.filter(visit=visit)
    assert versions.count() == (2 if expected["issue"] else 1)
    assert (versions.filter(provider_response="forged").exists()) == expected["respond"]


def test_another_councils_visit_and_report_are_out_of_reach(make_user, client_for, qa1):
    ours = home_authority()
    theirs = AuthorityFactory(name="Other Council")
    manager = make_user(roles.MANAGER)
    ours.members.add(manager, qa1)
    stranger = make_user(roles.MANAGER)
    theirs.members.add(stranger)
    visit = CompletedVisitFactory(lead_officer=qa1, authority=ours)
    report = visit_report_issue(visit=visit, user=qa1)
    client = client_for(stranger)
    for path in (url("issue_report_page", visit), url("record_response_page", visit)):
        assert client.get(path).status_code in (302, 403, 404)
    assert client.get(url("report_preview", visit)).status_code in (302, 403, 404)
    assert client.get(report.file.url).status_code == 403
    client.post(url("issue_report_page", visit), {"sent_to": "x@y.example"})
    assert VisitReport.objects.filter(visit=visit).count() == 1
    assert client_for(manager).get(report.file.url).status_code == 200


def test_files_need_a_login(client, qa1):
    report = visit_report_issue(visit=CompletedVisitFactory(lead_officer=qa1), user=qa1)
    response = client.get(report.file.url)
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert client.get("/visit-reports/no-such.pdf").status_code in (302, 404)


class TestOverdueFlags:
    def test_the_visit_list_flags_and_filters_overdue_responses(self, qa1, client_for):
        late = VisitReportFactory(visit__lead_officer=qa1, response_due=today() - timedelta(days=1))
        on_time = VisitReportFactory(visit__lead_officer=qa1)
        client = client_for(qa1)
        changelist = reverse("admin:registers_visit_changelist")
        page = client.get(changelist).content.decode()
        assert page.count("Response overdue") >= 2  # the filter's choice and one flag
        filtered = client.get(changelist, {"response": "overdue"})
        visits = list(filtered.context["cl"].result_list)
        assert visits == [late.visit]
        assert on_time.visit not in visits

    def test_my_visits_lists_my_overdue_responses(self, qa1, qa2, client_for):
        mine = VisitReportFactory(visit__lead_officer=qa1, response_due=today() - timedelta(days=2))
        VisitReportFactory(visit__lead_officer=qa2, response_due=today() - timedelta(days=2))
        response = client_for(qa1).get(reverse("admin:registers_visit_my"))
        assert [r.pk for r in response.context["responses_overdue"]] == [mine.pk]
        assert "Provider responses overdue (1)" in response.content.decode()


def count(client, path: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(context.captured_queries)


@pytest.mark.parametrize("role", ["manager", "qa1", "support", "auditor"])
def test_the_report_pages_cost_the_same_few_queries_at_any_volume(role, request, client_for):
    user = request.getfixturevalue(role)
    lead = user if role in ("manager", "qa1") else request.getfixturevalue("manager")
    visit = CompletedVisitFactory(
        lead_officer=lead, status="report_issued", report_issued_on=today()
    )
    ActionItemFactory(visit=visit)
    VisitReportFactory(visit=visit, version=1, response_due=today() - timedelta(days=1))
    VisitReportFactory(visit__lead_officer=lead, response_due=today() - timedelta(days=1))
    client = client_for(user)
    paths = [
        url("change", visit),
        reverse("admin:registers_visit_changelist"),
        reverse("admin:registers_visit_changelist") + "?response=overdue",
        reverse("admin:registers_visit_my"),
    ]
    if role in ("manager", "qa1"):
        paths += [url("issue_report_page", visit), url("record_response_page", visit)]
    for path in paths:
        count(client, path)  # warm up
    few = {path: count(client, path) for path in paths}
    for version in range(2, 8):
        VisitReportFactory(visit=visit, version=version, response_due=today())
        ActionItemFactory(visit=visit)
        VisitReportFactory(visit__lead_officer=lead, response_due=today() - timedelta(days=3))
    many = {path: count(client, path) for path in paths}
    assert few == many
    assert max(many.values()) <= 15, many
