"""seed_demo shows brokerage in every state, made through the services."""

from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from registers.models import ContractDocument, Referral, ReferralResponse, ReferralStatus

pytestmark = pytest.mark.django_db


def test_seed_demo_has_referrals_in_every_state(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO())
    statuses = list(Referral.objects.values_list("status", flat=True))
    assert sorted(set(statuses)) == sorted(ReferralStatus.values)
    sent = Referral.objects.filter(status=ReferralStatus.SENT)
    assert sent.count() == 2 and sent.filter(urgent=True).count() == 1
    closed = Referral.objects.get(status=ReferralStatus.CLOSED)
    assert (
        ReferralResponse.objects.filter(
            invitation__round__referral=closed, answer__in=["full", "part"]
        ).count()
        >= 2
    )
    awarded = Referral.objects.get(status=ReferralStatus.AWARDED)
    assert awarded.contract.procurement_route == "individual_placement"
    agreed = Referral.objects.get(status=ReferralStatus.AGREED)
    assert ContractDocument.objects.filter(contract=agreed.contract).count() == 2
    assert all(r.history.exists() for r in Referral.objects.all())
    assert mail.outbox == []  # the demo emails nobody
