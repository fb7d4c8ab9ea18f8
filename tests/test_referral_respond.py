"""The provider's page at /respond/<token>/ (Part B, seed 004): no account, the
anonymised referral only, and a clear refusal for any link that does not work."""

import re
from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client, override_settings

from registers import roles
from registers.models import ReferralInvitation, ReferralResponse, ReferralStatus
from registers.services.referral_rounds import invitation_revoke, referral_send
from registers.services.referrals import referral_approve
from tests.factories import LotFactory, ProviderFactory, ReferralFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def links(make_user, django_capture_on_commit_callbacks):
    officer = make_user(roles.COMMISSIONING_OFFICER, username="broker")
    boss = make_user(roles.MANAGER, username="boss")
    lot = LotFactory()
    alpha = ProviderFactory(name="Alpha Care", contact_email="alpha@p.example")
    beta = ProviderFactory(name="Beta Care", contact_email="beta@p.example")
    lot.providers.add(alpha, beta)
    referral = ReferralFactory(
        lot=lot, allocated_worker=officer, child_initials="QZ", case_id="MOS77123"
    )
    other = ReferralFactory(lot=lot, allocated_worker=officer, child_initials="XW")
    today = date.today()
    for each in (referral, other):
        referral_approve(referral=each, user=boss, panel_date=today)
        with django_capture_on_commit_callbacks(execute=True):
            referral_send(referral=each, user=officer, provider_ids=[alpha.pk, beta.pk])
    tokens = {}
    for message in mail.outbox:
        number = re.search(r"Referral (BR\d+)", message.subject).group(1)
        token = re.search(r"/respond/([^/]+)/", message.body).group(1)
        tokens[(number, message.to[0])] = token
    return {
        "referral": referral,
        "other": other,
        "officer": officer,
        "alpha": tokens[(referral.number, "alpha@p.example")],
        "beta": tokens[(referral.number, "beta@p.example")],
        "other_alpha": tokens[(other.number, "alpha@p.example")],
        "beta_provider": beta,
    }


def url(token):
    return f"/respond/{token}/"


def test_the_page_shows_the_anonymised_referral_only(links):
    response = Client().get(url(links["alpha"]))
    assert response.status_code == 200
    html = response.content.decode()
    referral = links["referral"]
    assert referral.number in html and "Alpha Care" in html
    assert referral.case_id not in html
    assert not re.search(r"\bQZ\b", html)
    assert "Beta Care" not in html
    assert response["Referrer-Policy"] == "same-origin"


def test_the_provider_answers_and_changes_their_answer(links):
    client = Client()
    response = client.post(
        url(links["alpha"]),
        {
            "answer": "part",
            "parts": "Tuesdays only",
            "hourly_rate": "22.50",
            "start_date": "04/01/2027",
        },
    )
    assert response.status_code == 302
    saved = ReferralResponse.objects.get()
    assert saved.answer == "part" and str(saved.start_date) == "2027-01-04"
    assert saved.channel == "link" and saved.recorded_by is None
    assert "recorded" in client.get(response["Location"]).content.decode()
    client.post(url(links["alpha"]), {"answer": "none"})
    saved.refresh_from_db()
    assert saved.answer == "none" and saved.history.count() == 2


def test_bad_input_is_a_form_error_not_a_server_error(links):
    client = Client(raise_request_exception=False)
    for data in (
        {"answer": "maybe"},
        {"answer": "full", "hourly_rate": "lots", "start_date": "31/02/2027"},
        {"answer": "full", "hourly_rate": "1e999"},
        {"answer": "part", "hourly_rate": "-5", "start_date": "2027-13-01"},
        {"answer": "full\x00", "notes": "\x00" * 10},
    ):
        response = client.post(url(links["alpha"]), data)
        assert response.status_code == 200, data
    assert not ReferralResponse.objects.exists()


def test_a_forged_provider_or_referral_in_the_post_changes_nothing(links):
    Client().post(
        url(links["alpha"]),
        {
            "answer": "none",
            "provider": links["beta_provider"].pk,
            "invitation": 999,
            "referral": links["other"].pk,
        },
    )
    saved = ReferralResponse.objects.get()
    assert saved.invitation.provider.name == "Alpha Care"
    assert saved.invitation.round.referral == links["referral"]


def test_another_referrals_token_opens_only_that_referral(links):
    html = Client().get(url(links["other_alpha"])).content.decode()
    assert links["other"].number in html
    assert links["referral"].number not in html


@pytest.mark.parametrize(
    "token", ["junk", "a" * 500, "%00", "..%2F..%2Fetc", "é", "1 OR 1=1", "' --"]
)
def test_unknown_tokens_are_404(links, token):
    response = Client(raise_request_exception=False).get(f"/respond/{token}/")
    assert response.status_code == 404
    response = Client(raise_request_exception=False).post(f"/respond/{token}/", {"answer": "full"})
    assert response.status_code == 404


def test_revoked_and_expired_links_are_410(links):
    invitation = ReferralInvitation.objects.get(
        round__referral=links["referral"], provider__name="Beta Care"
    )
    invitation_revoke(invitation=invitation, user=links["officer"], reason="Sent in error")
    response = Client().get(url(links["beta"]))
    assert response.status_code == 410 and "withdrawn" in response.content.decode()
    ReferralInvitation.objects.filter(provider__name="Alpha Care").update(
        expires_at=invitation.expires_at - timedelta(days=30)
    )
    response = Client().post(url(links["alpha"]), {"answer": "none"})
    assert response.status_code == 410
    assert not ReferralResponse.objects.exists()


def test_a_closed_referral_takes_no_more_answers(links):
    links["referral"].status = ReferralStatus.CLOSED
    links["referral"].save()
    assert Client().get(url(links["alpha"])).status_code == 410


def test_posts_need_the_csrf_token(links):
    client = Client(enforce_csrf_checks=True)
    response = client.post(url(links["alpha"]), {"answer": "none"})
    assert response.status_code == 403
    assert not ReferralResponse.objects.exists()


@override_settings(RESPOND_RATE_LIMIT=5)
def test_rate_limited_per_address_and_per_link(links):
    client = Client()
    statuses = [client.get(url(links["alpha"])).status_code for _ in range(6)]
    assert statuses[:5] == [200] * 5 and statuses[5] == 429
    cache.clear()
    # Guessing tokens from one address is limited too.
    guesses = [client.get(f"/respond/guess{n}/").status_code for n in range(6)]
    assert guesses[-1] == 429
