"""Who has which second factor, for the managers' sign-in security page."""

from dataclasses import dataclass

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count, Q, QuerySet
from django.utils import timezone


@dataclass(frozen=True)
class SignInRow:
    user_id: int
    username: str
    name: str
    authenticators: int
    passkeys: int
    recovery_codes: int

    @property
    def enrolled(self) -> bool:
        return bool(self.authenticators or self.passkeys)


def sign_in_overview() -> list[SignInRow]:
    users = (
        get_user_model()
        .objects.filter(is_active=True, is_staff=True)
        .annotate(
            authenticators=Count("totpdevice", filter=Q(totpdevice__confirmed=True), distinct=True),
            passkeys=Count(
                "webauthncredential", filter=Q(webauthncredential__confirmed=True), distinct=True
            ),
            recovery_codes=Count("staticdevice__token_set", distinct=True),
        )
        .order_by("username")
    )
    return [
        SignInRow(
            user_id=user.pk,
            username=user.get_username(),
            name=user.get_full_name(),
            authenticators=user.authenticators,
            passkeys=user.passkeys,
            recovery_codes=user.recovery_codes,
        )
        for user in users
    ]


def sign_in_lockouts() -> QuerySet[AccessAttempt]:
    """Recent failed sign-ins, newest first: those at the limit are locked out."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    return AccessAttempt.objects.filter(attempt_time__gte=since).order_by("-attempt_time")[:200]
