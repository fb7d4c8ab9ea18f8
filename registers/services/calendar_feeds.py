"""Private iCal feeds of QA officers' visits, behind a revocable secret token.

A feed carries the setting's name, the date and the kind of visit, nothing
more: calendar apps sync it to phones and shared diaries.
"""

import logging
import secrets
from datetime import date, timedelta

from django.utils import timezone

from registers.models import CalendarFeed, Visit, VisitStatus
from registers.permissions import Actor, owned_by
from registers.services.recording import log_write

logger = logging.getLogger(__name__)


def calendar_feed_issue(*, user: Actor) -> str:
    """A new secret for the user's feed; any older link stops working."""
    token = secrets.token_urlsafe(32)
    CalendarFeed.objects.update_or_create(
        user=user, defaults={"token_hash": CalendarFeed.hash_token(token)}
    )
    log_write(logger, "calendar_feed.issued", user=user, feeds=1)
    return token


def calendar_feed_revoke(*, user: Actor) -> None:
    deleted, _ = CalendarFeed.objects.filter(user=user).delete()
    log_write(logger, "calendar_feed.revoked", user=user, feeds=deleted)


def calendar_feed_user(token: str):
    feed = (
        CalendarFeed.objects.select_related("user")
        .filter(token_hash=CalendarFeed.hash_token(token), user__is_active=True)
        .first()
    )
    return feed.user if feed else None


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    # RFC 5545: lines of at most 75 octets, continued with a leading space.
    encoded = line.encode()
    if len(encoded) <= 75:
        return line
    parts, current = [], b""
    for char in line:
        piece = char.encode()
        if len(current) + len(piece) > 74:
            parts.append(current.decode())
            current = b""
        current += piece
    parts.append(current.decode())
    return "\r\n ".join(parts)


def calendar_feed_render(*, user: Actor, today: date | None = None) -> str:
    today = today or timezone.localdate()
    visits = (
        owned_by(
            user,
            Visit.objects.filter(lead_officer=user, planned_date__gte=today - timedelta(days=90)),
        )
        .exclude(status=VisitStatus.CANCELLED)
        .select_related("setting", "provider")
        .order_by("planned_date")
    )
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Commissioning Portal//QA visits//EN",
        "CALSCALE:GREGORIAN",
        "X-WR-CALNAME:QA visits",
    ]
    for visit in visits:
        place = visit.setting.display_name if visit.setting_id else visit.provider.name
        lines += [
            "BEGIN:VEVENT",
            f"UID:visit-{visit.pk}@commissioning-portal",
            f"DTSTAMP:{stamp}",
            f"DTSTART;VALUE=DATE:{visit.planned_date:%Y%m%d}",
            f"DTEND;VALUE=DATE:{visit.planned_date + timedelta(days=1):%Y%m%d}",
            _fold(f"SUMMARY:{_escape(f'{visit.get_kind_display()} QA visit: {place}')}"),
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(lines) + "\r\n"
