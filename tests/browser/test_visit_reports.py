"""A QA officer completes a visit, issues its report, and downloads the PDF;
the first page of the PDF is kept as a PNG (pdftoppm) beside the screenshots."""

import re
import shutil
import subprocess  # nosec B404: pdftoppm, a fixed Debian tool, on a file this test wrote
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from registers import roles
from registers.models import VisitReport
from tests.browser.conftest import serious_violations
from tests.factories import ProviderFactory, SettingFactory, VisitFactory, today

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDFTOPPM = shutil.which("pdftoppm")


def test_a_qa_officer_issues_a_visit_report_and_downloads_its_pdf(
    live_server, login, shots, make_user, output_path
):
    officer = make_user(roles.QA_OFFICER, username="qa1", first_name="Priya", last_name="Shah")
    provider = ProviderFactory(
        name="Acorn Care Ltd", contact_name="Jo Bloggs", contact_email="jo@acorn.example"
    )
    visit = VisitFactory(
        lead_officer=officer,
        planned_date=today() - timedelta(days=1),
        setting=SettingFactory(name="Willow House", provider=provider),
    )

    page = login("qa1")
    page.goto(f"{live_server.url}/admin/registers/visit/{visit.pk}/change/")
    page.get_by_role("tab", name="Outcome").click()
    page.select_option("#id_status", "completed")
    page.fill("#id_actual_date", today().strftime("%d/%m/%Y"))
    page.select_option("#id_rag", "amber")
    page.fill("#id_findings", "Night rota relies on agency staff; records in good order.")
    page.fill("#id_recommendations", "Recruit two permanent waking night staff.")
    page.get_by_text("Add another Action item").click()
    page.fill("#id_action_items-0-description", "Send the revised night rota")
    page.fill("#id_action_items-0-owner", "Registered manager")
    page.fill("#id_action_items-0-due_date", (today() + timedelta(days=30)).strftime("%d/%m/%Y"))
    page.locator('button[name="_save"]').first.click()
    expect(page.get_by_text("was changed successfully")).to_be_visible()

    page.goto(f"{live_server.url}/admin/registers/visit/{visit.pk}/change/")
    expect(page.get_by_role("link", name="Preview report")).to_be_visible()
    page.get_by_role("link", name="Issue report").click()
    expect(page.get_by_role("heading", name="Issue the visit report")).to_be_visible()
    expect(page.locator("#id_sent_to")).to_have_value("jo@acorn.example")
    shots(page, "visit-report-issue")
    assert serious_violations(page) == []
    page.get_by_role("button", name="Issue and email the report").click()
    expect(
        page.get_by_text(re.compile("Report version 1 issued to jo@acorn.example"))
    ).to_be_visible()
    report = VisitReport.objects.get(visit=visit)

    link = page.get_by_role("link", name="Download version 1")
    expect(link).to_be_visible()
    shots(page, "visit-report-issued")
    assert serious_violations(page) == []
    with page.expect_download() as download:
        link.click()
    folder = Path(output_path)
    pdf = folder / "visit-report.pdf"
    download.value.save_as(str(pdf))

    text = "\n".join(p.extract_text() for p in PdfReader(str(pdf)).pages)
    for expected in (
        "Willow House",
        "Acorn Care Ltd",
        "Amber",
        "Night rota relies on agency staff",
        "Send the revised night rota",
        report.response_due.strftime("%d/%m/%Y"),
    ):
        assert expected in text, expected

    # The provider answers: the officer records it from the visit's page.
    page.get_by_role("link", name="Record provider response").click()
    page.fill("#id_response", "Two permanent night staff start next month.")
    shots(page, "visit-report-record-response")
    assert serious_violations(page) == []
    page.get_by_role("button", name="Record the response").click()
    expect(page.get_by_text("response to report version 1 is recorded")).to_be_visible()
    expect(page.get_by_text("Two permanent night staff start next month.")).to_be_visible()
    shots(page, "visit-report-response-recorded")
    report.refresh_from_db()
    assert report.response_received_on == today()

    if PDFTOPPM is None:
        pytest.skip("pdftoppm (Debian poppler-utils) is not installed")
    subprocess.run(  # nosec B603: fixed arguments, no shell
        [
            PDFTOPPM,
            "-png",
            "-r",
            "60",
            "-f",
            "1",
            "-l",
            "1",
            str(pdf),
            str(folder / "visit-report"),
        ],
        check=True,
    )
    pngs = list(folder.glob("visit-report*.png"))
    assert pngs and pngs[0].stat().st_size > 1000
