"""Emails to the commissioning managers, through Django's email backend."""

from django.conf import settings as conf
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.template.loader import render_to_string

from registers.roles import MANAGER


def manager_recipients() -> list[str]:
    if conf.RI_NOTIFICATION_RECIPIENTS:
        return list(conf.RI_NOTIFICATION_RECIPIENTS)
    users = (
        get_user_model()
        .objects.filter(groups__name=MANAGER, is_active=True, email__gt="")
        .order_by("email")
    )
    return list(users.values_list("email", flat=True).distinct())


def send_ri_digest(*, items) -> int:
    """One email summarising every newly flagged setting. Returns emails sent."""
    recipients = manager_recipients()
    if not recipients or not items:
        return 0
    context = {"items": items, "count": len(items)}
    subject = " ".join(render_to_string(conf.RI_NOTIFICATION_SUBJECT_TEMPLATE, context).split())
    body = render_to_string(conf.RI_NOTIFICATION_BODY_TEMPLATE, context)
    return send_mail(subject, body, conf.DEFAULT_FROM_EMAIL, recipients)
