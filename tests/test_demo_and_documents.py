"""seed_demo builds a believable council once; contract documents stay private."""

from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils import timezone
from guardian.shortcuts import assign_perm

from registers import roles
from registers.models import (
    Authority,
    ConcernEscalation,
    Contract,
    ContractDocument,
    Enforcement,
    Provider,
    Setting,
    Visit,
    VisitReport,
)
from registers.selectors.concerns import concerns_past_stage_limit
from tests.factories import ContractFactory

pytestmark = pytest.mark.django_db


def test_seed_demo_builds_the_registers_and_logins_once(settings):
    settings.DEBUG = True
    out = StringIO()
    call_command("seed_demo", stdout=out)
    # The brokerage demo's placement agreements are counted by its own test.
    contracts = Contract.objects.filter(referral__isnull=True)
    counts = (Provider.objects.count(), Setting.objects.count(), contracts.count())
    # 80 contracts of the first council, 6 of the second; 3 unregulated settings of
    # the placement checks.
    assert counts == (40, 123, 86)
    assert Visit.objects.filter(status="planned", planned_date__lt=timezone.localdate()).exists()
    text = out.getvalue()
    for username in ("manager", "support", "qa1", "qa2", "officer", "auditor"):
        assert username in text
    first, second, third = Authority.objects.order_by("pk")
    assert Authority.objects.count() == 3
    assert first.members.filter(username="manager").exists()
    assert list(second.members.values_list("username", flat=True)) == ["manager_b"]
    assert "manager_b" in text and "regional" in text
    assert User.objects.get(username="regional").groups.get().name == roles.REGIONAL_LEAD
    assert Contract.objects.filter(authority=second).count() == 6
    # A setting used by both councils, judged Inadequate: a risk visit for each.
    shared = Setting.objects.filter(
        current_rating="inadequate", contracts__authority=second
    ).distinct()
    assert shared.filter(contracts__authority=first).exists()
    risk = Visit.objects.filter(setting__in=shared, reason="risk")
    assert {first.pk, second.pk} <= set(risk.values_list("authority_id", flat=True))
    # Visit reports issued through the service: one answered, one awaiting an answer.
    reports = VisitReport.objects.order_by("pk")
    assert [bool(r.provider_response) for r in reports] == [True, False]
    assert all(r.file.name and r.visit.status == "report_issued" for r in reports)
    # Concern stages: one at stage 3 with its letter, one past its stage limit.
    letter = ConcernEscalation.objects.get(stage=3, concern__stage=3)
    assert letter.letter and letter.informed_provider
    assert concerns_past_stage_limit(today=timezone.localdate()).exists()
    # A setting in use under a compliance notice: monitored, with its risk visit.
    noticed = Enforcement.objects.get(kind="compliance_notice", lifted_on__isnull=True).setting
    assert noticed.enhanced_monitoring and noticed.compliance_notice_on
    assert Visit.objects.filter(setting=noticed, triggered_by_enforcement__isnull=False).exists()
    history = Provider.history.count()
    call_command("seed_demo", stdout=StringIO())
    assert (Provider.objects.count(), Setting.objects.count(), contracts.count()) == counts
    assert Provider.history.count() == history


def test_seed_demo_refuses_with_debug_off(settings):
    from django.core.management import CommandError

    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG off"):
        call_command("seed_demo")
    assert not Provider.objects.exists()


def test_a_contract_document_downloads_only_for_those_who_may_see_the_contract(
    make_user, client_for, officer
):
    contract = ContractFactory()
    document = ContractDocument.objects.create(
        contract=contract,
        kind="contract",
        title="Signed contract",
        file=ContentFile(b"%PDF-1.4 signed", name="signed.pdf"),
    )
    url = document.file.url
    assert url.startswith("/documents/")
    response = client_for(officer).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 signed"

    stranger = make_user()
    assert client_for(stranger).get(url).status_code == 403
    assign_perm("registers.view_contract", stranger, contract)
    assert client_for(stranger).get(url).status_code == 200


def test_documents_need_a_login(client):
    contract = ContractFactory()
    document = ContractDocument.objects.create(
        contract=contract,
        kind="contract",
        title="Signed",
        file=ContentFile(b"x", name="s.pdf"),
    )
    response = client.get(document.file.url)
    assert response.status_code == 302 and "/login/" in response["Location"]
