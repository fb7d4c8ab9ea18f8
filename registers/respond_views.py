"""Part B of a brokerage referral, answered by a provider through their personal
link, with no account (seed 004). The page shows the anonymised referral and
nothing else; a bad, expired or revoked link gets a plain refusal, never an error.
"""

import logging

from django import forms
from django.conf import settings as conf
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from registers.models import ResponseAnswer, ResponseChannel
from registers.models.referral_rounds import hash_token
from registers.selectors.referrals import referral_hours_per_week
from registers.services.referral_rounds import LinkRefused, invitation_for_token, response_record

logger = logging.getLogger(__name__)

WINDOW_SECONDS = 600
UK_DATE_FORMATS = ["%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d"]


class ResponseForm(forms.Form):
    answer = forms.ChoiceField(
        label="Can you meet this referral?",
        choices=ResponseAnswer.choices,
        widget=forms.RadioSelect,
    )
    parts = forms.CharField(
        label="Which parts can you meet?",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Only if you can meet it in part.",
    )
    hourly_rate = forms.DecimalField(
        label="Hourly rate (£)",
        required=False,
        min_value=0,
        max_digits=8,
        decimal_places=2,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    start_date = forms.DateField(
        label="Date you could start",
        required=False,
        input_formats=UK_DATE_FORMATS,
        help_text="DD/MM/YYYY",
        widget=forms.DateInput(format="%d/%m/%Y", attrs={"inputmode": "numeric"}),
    )
    notes = forms.CharField(
        label="Notes", required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )


def _rate_limited(request, token: str) -> bool:
    """At most RESPOND_RATE_LIMIT requests in ten minutes per address and per link."""
    address = request.META.get("REMOTE_ADDR", "unknown")
    limited = False
    for key in (f"respond:ip:{address}", f"respond:token:{hash_token(token)[:32]}"):
        cache.add(key, 0, WINDOW_SECONDS)
        try:
            count = cache.incr(key)
        except ValueError:
            cache.set(key, 1, WINDOW_SECONDS)
            count = 1
        limited = limited or count > conf.RESPOND_RATE_LIMIT
    return limited


def _page(request, template: str, context: dict, *, status: int = 200) -> TemplateResponse:
    response = TemplateResponse(request, template, context, status=status)
    # The link is the provider's key: never passed on to another site. "same-origin",
    # not "no-referrer": with no referrer Chromium posts the form with Origin: null,
    # which Django's CSRF check rightly refuses.
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex"
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def respond(request, token: str):
    if _rate_limited(request, token):
        logger.warning("respond.rate_limited", extra={"event": "respond.rate_limited"})
        return _page(
            request,
            "registers/respond/refused.html",
            {"title": "Too many attempts", "reason": "Please wait ten minutes and try again."},
            status=429,
        )
    try:
        invitation = invitation_for_token(token=token)
    except LinkRefused as refusal:
        return _page(
            request,
            "registers/respond/refused.html",
            {
                "title": "This link has closed" if refusal.gone else "Link not found",
                "reason": str(refusal),
            },
            status=410 if refusal.gone else 404,
        )
    referral = invitation.round.referral
    existing = getattr(invitation, "response", None)
    initial = (
        {name: getattr(existing, name) for name in ResponseForm.base_fields} if existing else None
    )
    form = ResponseForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            response_record(
                invitation=invitation, user=None, channel=ResponseChannel.LINK, **form.cleaned_data
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for name, errors in exc.message_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                form.add_error(None, exc.messages)
        else:
            return HttpResponseRedirect(f"{request.path}?saved=1")
    context = {
        "title": f"Referral {referral.number}",
        "referral": referral,
        "round": invitation.round,
        "provider": invitation.provider,
        "schedule": list(referral.schedule.all()),
        "hours": referral_hours_per_week(referral=referral),
        "form": form,
        "existing": existing,
        "saved": request.GET.get("saved") == "1" and existing is not None,
    }
    return _page(request, "registers/respond/respond.html", context)
