"""A manager escalates a concern to stage 3, recording who was told, and downloads
the escalation letter; its first page is kept as a PNG beside the screenshots."""

import subprocess  # nosec B404: pdftoppm, a fixed command on a file the test wrote
from pathlib import Path

import pytest
from playwright.sync_api import expect

from registers import roles
from registers.models import ConcernEscalation
from registers.services.concerns import concern_escalate
from tests.browser.conftest import serious_violations
from tests.factories import ConcernFactory, ProviderFactory, SettingFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_manager_escalates_to_stage_three_and_downloads_the_letter(
    live_server, page, login, shots, make_user, output_path
):
    manager = make_user(roles.MANAGER, username="manager", first_name="Sam", last_name="Price")
    setting = SettingFactory(name="Oak House", provider=ProviderFactory(name="Acorn Care Ltd"))
    concern = ConcernFactory(
        setting=setting, description="Two missing-from-care episodes not reported within 24 hours."
    )
    concern_escalate(concern=concern, user=manager, informed_head_of_service=True)

    login("manager")
    page.goto(f"{live_server.url}/admin/registers/concern/{concern.pk}/escalate/")
    page.get_by_label("Why it is escalated").fill("No action plan after stage 2.")
    page.get_by_label("The provider").check()
    page.get_by_label("Independent Reviewing Officer (IRO)").check()
    shots(page, "concern-escalate-to-stage-3")
    assert serious_violations(page) == []
    page.get_by_role("button", name="Escalate").click()
    expect(page.get_by_text("The escalation letter is under 'Stages'")).to_be_visible()
    shots(page, "concern-at-stage-3-with-letter")
    assert serious_violations(page) == []

    row = ConcernEscalation.objects.get(concern=concern, stage=3)
    assert row.informed_list == ["IRO", "Provider"]
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the escalation letter (PDF)").click()
    folder = Path(output_path)
    pdf = folder / "concern-stage-3-letter.pdf"
    download_info.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    subprocess.run(  # nosec B603 B607
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf), str(folder / "letter")],
        check=True,
    )
    assert list(folder.glob("letter*.png"))
