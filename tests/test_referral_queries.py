"""Brokerage pages cost a fixed, small number of queries for every role that sees
them, however many referrals, rounds, providers and responses there are."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from registers import roles
from registers.models import ReferralStatus
from registers.services.referral_rounds import referral_send, response_record
from registers.services.referrals import referral_approve, referral_set_status
from tests.factories import (
    LotFactory,
    ProviderFactory,
    ReferralFactory,
    SettingFactory,
    VisitFactory,
)

pytestmark = pytest.mark.django_db

MAX_QUERIES = 15


@pytest.fixture(autouse=True)
def steady(monkeypatch):
    monkeypatch.setattr("portal.middleware.session_timeouts.TOUCH_EVERY", 24 * 60 * 60)
    cache.clear()


class Brokerage:
    def __init__(self, officer, boss):
        self.officer, self.boss = officer, boss
        self.lot = LotFactory()
        self.sent = self.make(closed=True)
        self.draft = ReferralFactory(lot=self.lot, allocated_worker=officer)

    def make(self, *, closed: bool, providers: int = 2):
        new = [ProviderFactory(contact_email="") for _ in range(providers)]
        self.lot.providers.add(*new)
        for provider in new:
            SettingFactory(provider=provider)
        referral = ReferralFactory(lot=self.lot, allocated_worker=self.officer)
        referral_approve(referral=referral, user=self.boss, panel_date=date.today())
        round_ = referral_send(
            referral=referral,
            user=self.officer,
            provider_ids=[p.pk for p in self.lot.providers.all()],
        )
        for invitation in round_.invitations.all():
            response_record(
                invitation=invitation,
                user=None,
                answer="full",
                channel="link",
                hourly_rate=Decimal("20"),
                start_date=date.today() + timedelta(days=30),
            )
        if closed:
            referral_set_status(
                referral=referral, user=None, status=ReferralStatus.CLOSED, reason="test"
            )
        return referral

    def grow(self, count: int) -> None:
        for _ in range(count):
            self.make(closed=False, providers=1)
            ReferralFactory(lot=self.lot, allocated_worker=self.officer)


def measure(client, urls):
    counts = {}
    for name, url in urls.items():
        with CaptureQueriesContext(connection) as context:
            response = client.get(url)
        assert response.status_code == 200, (name, response.status_code)
        counts[name] = len(context.captured_queries)
    return counts


@pytest.mark.parametrize(
    "role",
    [roles.MANAGER, roles.BUSINESS_SUPPORT, roles.COMMISSIONING_OFFICER, roles.AUDITOR],
)
def test_referral_pages_cost_the_same_few_queries_at_any_volume(role, make_user, client_for):
    officer = make_user(roles.COMMISSIONING_OFFICER, username="broker")
    boss = make_user(roles.MANAGER, username="boss")
    data = Brokerage(officer, boss)
    user = officer if role == roles.COMMISSIONING_OFFICER else make_user(role)
    client = client_for(user)
    urls = {
        "list": reverse("admin:registers_referral_changelist"),
        "awaiting list": reverse("admin:registers_referral_changelist") + "?list=awaiting",
        "no offer list": reverse("admin:registers_referral_changelist") + "?list=no_offer",
        "sent page": reverse("admin:registers_referral_change", args=[data.sent.pk]),
        "draft page": reverse("admin:registers_referral_change", args=[data.draft.pk]),
    }
    if role in (roles.MANAGER, roles.COMMISSIONING_OFFICER):
        urls["award page"] = reverse("admin:registers_referral_award_page", args=[data.sent.pk])
    measure(client, urls)
    few = measure(client, urls)
    data.grow(6)
    many = measure(client, urls)
    assert few == many, (few, many)
    assert max(many.values()) <= MAX_QUERIES, many


def test_a_qa_officer_sees_placements_at_settings_they_visit(make_user, client_for):
    officer = make_user(roles.COMMISSIONING_OFFICER, username="broker")
    boss = make_user(roles.MANAGER, username="boss")
    qa = make_user(roles.QA_OFFICER)
    data = Brokerage(officer, boss)
    referral = data.sent
    provider = referral.rounds.get().invitations.first().provider
    referral_set_status(
        referral=referral,
        user=None,
        status=ReferralStatus.AWARDED,
        reason="test",
        awarded_provider=provider,
    )
    client = client_for(qa)
    changelist = reverse("admin:registers_referral_changelist")
    page = reverse("admin:registers_referral_change", args=[referral.pk])
    assert referral.number not in client.get(changelist).content.decode()
    assert client.get(page).status_code == 302
    VisitFactory(setting=provider.settings.first(), lead_officer=qa)
    assert referral.number in client.get(changelist).content.decode()
    assert client.get(page).status_code == 200
    assert (
        client.get(reverse("admin:registers_referral_history", args=[referral.pk])).status_code
        == 200
    )
    assert (
        client.get(reverse("admin:registers_referral_change", args=[data.draft.pk])).status_code
        == 302
    )
    counts = measure(client, {"list": changelist, "page": page})
    assert max(counts.values()) <= MAX_QUERIES, counts


def test_the_respond_page_costs_few_queries(make_user):
    officer = make_user(roles.COMMISSIONING_OFFICER, username="broker")
    boss = make_user(roles.MANAGER, username="boss")
    data = Brokerage(officer, boss)
    assert data.sent  # the page itself is measured in test_referral_respond's client walk
