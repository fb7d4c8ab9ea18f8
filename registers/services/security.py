"""Sign-in security: second factors (authenticator app, recovery codes, passkeys),
their reset, and the trail of access changes.

Every write to a user's devices goes through here, so each leaves an AccessEvent
naming who did it, when and why.
"""

import logging
from base64 import b32encode

import segno
from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django_otp import match_token, user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from registers.models import AccessEvent, AccessEventKind

logger = logging.getLogger(__name__)

AUTHENTICATOR_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"
MANAGE_PERMISSION = "registers.manage_sign_in"


def access_event_record(
    *,
    kind: str,
    actor: AbstractBaseUser | None,
    subject: AbstractBaseUser | None,
    reason: str = "",
    detail: str = "",
    group_name: str = "",
    record: str = "",
) -> AccessEvent:
    """One line of the access trail. Every service that changes access calls this."""
    event = AccessEvent.objects.create(
        kind=kind,
        actor=actor if actor is not None and actor.is_authenticated else None,
        subject=subject,
        subject_name=subject.get_username() if subject is not None else "",
        group_name=group_name,
        record=record[:300],
        reason=reason,
        detail=detail,
    )
    logger.info(
        "Access change %s for %s by %s",
        kind,
        event.subject_name or "-",
        actor.get_username() if actor else "the system",
    )
    return event


def second_factor_enrolled(*, user: AbstractBaseUser) -> bool:
    """Whether the user has a confirmed authenticator or passkey (not recovery codes alone)."""
    return (
        TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        or WebAuthnCredential.objects.filter(user=user, confirmed=True).exists()
    )


def totp_device_pending(*, user: AbstractBaseUser) -> TOTPDevice:
    """The authenticator being set up, made on first call; its secret stays until confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)
    return device


def totp_qr_svg(*, device: TOTPDevice) -> str:
    """The otpauth:// link as an inline SVG QR code (no script, no external request)."""
    return segno.make(device.config_url, error="m").svg_inline(scale=5, border=2)


def totp_secret_text(*, device: TOTPDevice) -> str:
    """The secret in groups of four, for typing into an app instead of scanning."""
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def totp_device_confirm(*, user: AbstractBaseUser, token: str) -> tuple[TOTPDevice, list[str]]:
    """Confirm the pending authenticator with a code from it; returns it and fresh recovery
    codes. Refused once the user has a second factor: adding another needs the first."""
    if second_factor_enrolled(user=user):
        raise ValidationError("A second factor is already set up for this account.")
    device = totp_device_pending(user=user)
    if not device.verify_token(_clean(token)):
        message = "That code is not right. Enter the 6-digit code your app shows now."
        raise ValidationError({"token": message})
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        codes = _issue_recovery_codes(user=user)
        access_event_record(
            kind=AccessEventKind.MFA_ENROLLED,
            actor=user,
            subject=user,
            detail=f"{AUTHENTICATOR_NAME}; {len(codes)} recovery codes issued",
        )
    return device, codes


def recovery_codes_issue(*, user: AbstractBaseUser) -> list[str]:
    """A fresh set of single-use recovery codes; the old set stops working."""
    with transaction.atomic():
        codes = _issue_recovery_codes(user=user)
        access_event_record(
            kind=AccessEventKind.RECOVERY_CODES, actor=user, subject=user, detail=f"{len(codes)}"
        )
    return codes


def recovery_codes_left(*, user: AbstractBaseUser) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def _issue_recovery_codes(*, user: AbstractBaseUser) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(settings.MFA_RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def second_factor_check(*, user: AbstractBaseUser, token: str):
    """The device the code belongs to (an authenticator code or an unused recovery code,
    which is then used up), or None."""
    token = _clean(token)
    if not token or not user_has_device(user):
        return None
    return match_token(user, token)


def second_factor_reset(
    *, actor: AbstractBaseUser, user: AbstractBaseUser, reason: str
) -> AccessEvent:
    """Remove every second factor of ``user``, so they set one up again at next sign-in."""
    if not actor.has_perm(MANAGE_PERMISSION):
        raise PermissionDenied("Only a manager can reset a second factor.")
    if actor.pk == user.pk:
        raise PermissionDenied("Nobody can reset their own second factor: ask another manager.")
    if not reason.strip():
        raise ValidationError({"reason": "Say why the second factor is being reset."})
    with transaction.atomic():
        removed = [
            f"{TOTPDevice.objects.filter(user=user).delete()[0]} authenticator app(s)",
            f"{WebAuthnCredential.objects.filter(user=user).delete()[0]} passkey(s)",
            f"{StaticDevice.objects.filter(user=user).delete()[0]} recovery code set(s)",
        ]
        return access_event_record(
            kind=AccessEventKind.MFA_RESET,
            actor=actor,
            subject=user,
            reason=reason.strip(),
            detail="Removed " + ", ".join(removed),
        )


def lockout_clear(*, actor: AbstractBaseUser, attempt_id: int, reason: str) -> AccessEvent:
    """Lift a sign-in lockout: the failures of that login and of that address."""
    if not actor.has_perm(MANAGE_PERMISSION):
        raise PermissionDenied("Only a manager can lift a sign-in lockout.")
    if not reason.strip():
        raise ValidationError({"reason": "Say why the lockout is being lifted."})
    attempt = AccessAttempt.objects.filter(pk=attempt_id).first()
    if attempt is None:
        raise ValidationError("That lockout has already ended or been lifted.")
    subject = (
        get_user_model().objects.filter(username=attempt.username).first()
        if attempt.username
        else None
    )
    with transaction.atomic():
        cleared = 0
        if attempt.username:
            cleared += axes_reset(username=attempt.username)
        if attempt.ip_address:
            cleared += axes_reset(ip=attempt.ip_address)
        event = access_event_record(
            kind=AccessEventKind.LOCKOUT_CLEARED,
            actor=actor,
            subject=subject,
            reason=reason.strip(),
            detail=f"Login {attempt.username or '-'} from {attempt.ip_address or '-'}; "
            f"{cleared} failed-attempt record(s) cleared",
        )
        if subject is None:
            # The trail names the login typed even when no such user exists.
            event.subject_name = attempt.username or ""
            event.save(update_fields=["subject_name"])
    return event


def object_permissions_record(
    *,
    actor: AbstractBaseUser | None,
    obj,
    added: set[str],
    removed: set[str],
    reason: str,
    user: AbstractBaseUser | None = None,
    group=None,
) -> None:
    """Trail the grants and revocations made on a record's "Object permissions" page,
    with the reason the manager gave."""
    record = f"{obj._meta.verbose_name} {obj}"
    for kind, codenames in (
        (AccessEventKind.PERMISSION_GRANTED, added),
        (AccessEventKind.PERMISSION_REVOKED, removed),
    ):
        if codenames:
            access_event_record(
                kind=kind,
                actor=actor,
                subject=user,
                group_name=group.name if group is not None else "",
                record=record,
                detail=", ".join(sorted(codenames)),
                reason=reason,
            )


def group_membership_record(
    *, actor: AbstractBaseUser | None, user: AbstractBaseUser, groups: list[str], joined: bool
) -> None:
    if groups:
        access_event_record(
            kind=AccessEventKind.GROUP_JOINED if joined else AccessEventKind.GROUP_LEFT,
            actor=actor,
            subject=user,
            group_name=", ".join(sorted(groups))[:150],
        )


ACCOUNT_FLAGS = {"is_active": "Active", "is_staff": "Staff", "is_superuser": "Superuser"}


def account_flags_record(
    *, actor: AbstractBaseUser | None, user: AbstractBaseUser, before: dict
) -> None:
    changes = [
        f"{label}: {'yes' if before[name] else 'no'} → {'yes' if getattr(user, name) else 'no'}"
        for name, label in ACCOUNT_FLAGS.items()
        if before.get(name) != getattr(user, name)
    ]
    if changes:
        access_event_record(
            kind=AccessEventKind.ACCOUNT_FLAGS, actor=actor, subject=user, detail="; ".join(changes)
        )


def _clean(token: str) -> str:
    return "".join((token or "").split()).lower()
