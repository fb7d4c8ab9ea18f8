"""The pages of compliance documents and Regulation 44/45 reports: files served
only to those who may see them, the expiring and missing lists, and the flags
on the settings list and the QA officers' pages."""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from registers import roles
from registers.dates import add_months
from registers.models import ApprovalStatus
from tests.factories import (
    ComplianceDocumentFactory,
    ComplianceDocumentKindFactory,
    ProviderFactory,
    RegulationReportFactory,
    SettingFactory,
    VisitFactory,
    today,
)

pytestmark = pytest.mark.django_db

READERS = [
    roles.MANAGER,
    roles.BUSINESS_SUPPORT,
    roles.QA_OFFICER,
    roles.COMMISSIONING_OFFICER,
    roles.AUDITOR,
]


@pytest.mark.parametrize("role", READERS)
def test_every_role_that_reads_the_registers_downloads_the_files(role, make_user, client_for):
    document = ComplianceDocumentFactory(file=ContentFile(b"%PDF-1.4 cover", name="cover.pdf"))
    report = RegulationReportFactory(file=ContentFile(b"%PDF-1.4 reg44", name="reg44.pdf"))
    client = client_for(make_user(role))
    for record, content in ((document, b"%PDF-1.4 cover"), (report, b"%PDF-1.4 reg44")):
        url = record.file.url
        assert url.startswith(("/compliance-documents/", "/regulation-reports/"))
        response = client.get(url)
        assert response.status_code == 200, (role, url)
        assert b"".join(response.streaming_content) == content


@pytest.mark.parametrize("role", [roles.REGIONAL_LEAD, None])
def test_others_are_refused_the_files(role, make_user, client_for):
    document = ComplianceDocumentFactory(file=ContentFile(b"x", name="cover.pdf"))
    report = RegulationReportFactory(file=ContentFile(b"x", name="reg44.pdf"))
    client = client_for(make_user(role))
    assert client.get(document.file.url).status_code == 403
    assert client.get(report.file.url).status_code == 403


def test_files_need_a_login_and_an_unknown_name_is_a_404(client, make_user, client_for):
    document = ComplianceDocumentFactory(file=ContentFile(b"x", name="cover.pdf"))
    response = client.get(document.file.url)
    assert response.status_code == 302 and "/login/" in response["Location"]
    auditor = client_for(make_user(roles.AUDITOR))
    assert auditor.get("/compliance-documents/compliance/none.pdf").status_code == 404
    assert auditor.get("/regulation-reports/x%00y.pdf").status_code == 404


def test_the_expiry_filter_lists_30_60_90_days_and_expired(manager, client_for):
    now = today()
    ComplianceDocumentFactory(reference="SOON", expiry_date=now + timedelta(days=20))
    ComplianceDocumentFactory(reference="LATER", expiry_date=now + timedelta(days=75))
    ComplianceDocumentFactory(
        reference="GONE", issue_date=now - timedelta(days=400), expiry_date=now - timedelta(days=2)
    )
    client = client_for(manager)
    url = reverse("admin:registers_compliancedocument_changelist")

    def listed(query):
        response = client.get(url, query)
        assert response.status_code == 200
        return {ref for ref in ("SOON", "LATER", "GONE") if ref in response.content.decode()}

    assert listed({"expiry": "30"}) == {"SOON"}
    assert listed({"expiry": "60"}) == {"SOON"}
    assert listed({"expiry": "90"}) == {"SOON", "LATER"}
    assert listed({"expiry": "expired"}) == {"GONE"}
    assert listed({"expiry": "7' OR 1=1"}) == {"SOON", "LATER", "GONE"}  # ignored, no error


def test_the_missing_page_lists_settings_in_use_without_a_required_document(auditor, client_for):
    required = ComplianceDocumentKindFactory(name="Gas safety certificate")
    required.required_for_settings_in_use = True
    required.save()
    SettingFactory(name="Oak House")
    SettingFactory(
        name="Elm Lodge", provider=ProviderFactory(approval_status=ApprovalStatus.APPLICANT)
    )
    response = client_for(auditor).get(reverse("admin:registers_compliancedocument_missing"))
    body = response.content.decode()
    assert "Oak House" in body and "Gas safety certificate" in body
    assert "Elm Lodge" not in body  # not in use


def test_the_settings_list_flags_and_filters_homes_missing_reports(qa1, client_for):
    flagged = SettingFactory(name="Oak House")
    covered = SettingFactory(name="Elm Lodge")
    RegulationReportFactory(setting=covered)  # last month's Reg 44
    RegulationReportFactory(setting=covered, kind="reg45", period_start=add_months(today(), -4))
    client = client_for(qa1)
    url = reverse("admin:registers_setting_changelist")
    body = client.get(url).content.decode()
    assert "Reg 44 missing" in body and "Reg 45 overdue" in body
    filtered = client.get(url, {"reg_reports": "missing"}).content.decode()
    assert flagged.name in filtered and covered.name not in filtered


def test_my_visits_shows_the_officers_own_homes_missing_reports(qa1, qa2, client_for):
    mine = SettingFactory(name="Oak House")
    VisitFactory(setting=mine, lead_officer=qa1)
    theirs = SettingFactory(name="Elm Lodge")
    VisitFactory(setting=theirs, lead_officer=qa2)
    body = client_for(qa1).get(reverse("admin:registers_visit_my")).content.decode()
    assert "Oak House" in body and "Reg 44 missing" in body
    assert "Elm Lodge" not in body
