"""The second-factor pages: set up an authenticator (QR code), verify a code or a
recovery code after the password, add a passkey, issue new recovery codes."""

import logging

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp_webauthn.models import WebAuthnCredential
from unfold.widgets import UnfoldAdminTextInputWidget

from registers.services.security import (
    recovery_codes_issue,
    recovery_codes_left,
    second_factor_check,
    second_factor_enrolled,
    totp_device_confirm,
    totp_device_pending,
    totp_qr_svg,
    totp_secret_text,
)

logger = logging.getLogger(__name__)
LOGIN = "admin:login"


class CodeForm(forms.Form):
    token = forms.CharField(
        label="Code",
        max_length=32,
        strip=True,
        widget=UnfoldAdminTextInputWidget(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}
        ),
    )


def _next(request) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("admin:index")


def _page(request, template: str, context: dict):
    return render(
        request,
        f"registers/second_factor/{template}",
        {**admin.site.each_context(request), "next": _next(request), **context},
    )


@never_cache
@sensitive_post_parameters("token")
@login_required(login_url=LOGIN)
def verify(request):
    """After the password: a code from the authenticator app, a recovery code or a passkey."""
    if not second_factor_enrolled(user=request.user):
        return HttpResponseRedirect(reverse("second_factor:set_up") + f"?next={_next(request)}")
    if request.user.is_verified():
        return HttpResponseRedirect(_next(request))
    form = CodeForm(request.POST or None)
    form.fields["token"].label = "Code from your authenticator app, or a recovery code"
    if request.method == "POST" and form.is_valid():
        device = second_factor_check(user=request.user, token=form.cleaned_data["token"])
        if device is not None:
            otp_login(request, device)
            if device.__class__.__name__ == "StaticDevice":
                left = recovery_codes_left(user=request.user)
                messages.warning(
                    request,
                    f"You signed in with a recovery code. {left} left: "
                    "issue new ones from “Sign-in security” if you are running low.",
                )
            return HttpResponseRedirect(_next(request))
        logger.info("Second factor refused for %s", request.user.get_username())
        form.add_error("token", "That code is not right, or was already used. Try again.")
    has_passkey = WebAuthnCredential.objects.filter(user=request.user, confirmed=True).exists()
    return _page(
        request,
        "verify.html",
        {"title": "Check it's you", "form": form, "has_passkey": has_passkey},
    )


@never_cache
@sensitive_post_parameters("token")
@login_required(login_url=LOGIN)
def set_up(request):
    """First time: scan the QR code and type a code. Afterwards: add a passkey, new codes."""
    if second_factor_enrolled(user=request.user):
        if not request.user.is_verified():
            return HttpResponseRedirect(reverse("second_factor:verify"))
        return _page(
            request,
            "manage.html",
            {
                "title": "Sign-in security",
                "codes_left": recovery_codes_left(user=request.user),
                "passkeys": WebAuthnCredential.objects.filter(user=request.user, confirmed=True),
            },
        )
    device = totp_device_pending(user=request.user)
    form = CodeForm(request.POST or None)
    form.fields["token"].label = "6-digit code from the app"
    if request.method == "POST" and form.is_valid():
        try:
            device, codes = totp_device_confirm(user=request.user, token=form.cleaned_data["token"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            otp_login(request, device)
            return _page(request, "codes.html", {"title": "Your recovery codes", "codes": codes})
    return _page(
        request,
        "set_up.html",
        {
            "title": "Set up a second factor",
            "form": form,
            "qr_svg": totp_qr_svg(device=device),
            "secret": totp_secret_text(device=device),
        },
    )


@never_cache
@require_POST
@login_required(login_url=LOGIN)
def new_recovery_codes(request):
    if not request.user.is_verified():
        return HttpResponseRedirect(reverse("second_factor:verify"))
    codes = recovery_codes_issue(user=request.user)
    return _page(request, "codes.html", {"title": "Your new recovery codes", "codes": codes})


def locked_out(request, response=None, credentials=None):
    """django-axes' lockout page. The same words whether or not the login exists,
    and whether the username or the address tripped it."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(
        request,
        "registers/locked_out.html",
        {**admin.site.each_context(request), "cooloff_minutes": minutes},
        status=429,
    )
