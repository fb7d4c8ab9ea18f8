"""The brokerage referral's action pages: approve, send, record a response,
close, award, revise, upload the signed agreement, reopen and end. Each runs
one service; the services hold the rules."""

from django import forms
from django.utils.html import format_html, format_html_join

from registers.admin.action_pages import ActionPage
from registers.admin.display import pounds, uk_date
from registers.admin.forms import ActionForm
from registers.models import (
    ReferralInvitation,
    ReferralResponse,
    ResponseAnswer,
    ResponseChannel,
)
from registers.permissions import has_perm
from registers.selectors.referrals import (
    positive_responses,
    referral_candidates,
    referral_current_round,
    referral_offers,
)
from registers.services.referral_awards import (
    SIGNED_TITLES,
    referral_award,
    referral_award_allowed,
    referral_reopen,
    referral_reopen_allowed,
    referral_signed_copy_upload,
    referral_upload_allowed,
)
from registers.services.referral_rounds import (
    referral_close_allowed,
    referral_close_responses,
    referral_next_round_kind,
    referral_revise,
    referral_revise_allowed,
    referral_send,
    referral_send_allowed,
    response_record,
)
from registers.services.referrals import (
    referral_approval_allowed,
    referral_approve,
    referral_end_allowed,
    referral_not_placed,
    referral_send_check,
    referral_withdraw,
)

UK_DATES = ["%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d"]
# The comparison reads as a table: left-aligned cells, a rule under each row.
CELL = "text-align:left;vertical-align:top;padding:6px 8px;border-bottom:1px solid #d4d4d8"


def offers_table(referral) -> str:
    """The current round's answers side by side (the change page and the award page)."""
    offers = referral_offers(referral=referral)
    if not offers:
        return "No responses yet."
    rows = format_html_join(
        "",
        "<tr><th scope='row' style='{s}'>{}</th><td style='{s}'>{}</td><td style='{s}'>{}</td>"
        "<td style='{s}'>{}</td><td style='{s}'>{}</td><td style='{s}'>{}</td></tr>".replace(
            "{s}", CELL
        ),
        (
            (
                offer.provider.name,
                offer.response.get_answer_display()
                + (f": {offer.response.parts}" if offer.response.parts else ""),
                pounds(offer.response.hourly_rate),
                pounds(offer.cost_per_week),
                uk_date(offer.response.start_date),
                "; ".join(offer.ratings) or "No settings",
            )
            for offer in offers
        ),
    )
    return format_html(
        (
            "<table class='w-full'><caption class='sr-only'>Offers side by side</caption>"
            "<thead><tr><th scope='col' style='{s}'>Provider</th>"
            "<th scope='col' style='{s}'>Answer</th><th scope='col' style='{s}'>Hourly rate</th>"
            "<th scope='col' style='{s}'>Cost per week</th><th scope='col' style='{s}'>Start</th>"
            "<th scope='col' style='{s}'>Ofsted ratings of its settings</th>"
            "</tr></thead><tbody>{}</tbody></table>"
        ).replace("{s}", CELL),
        rows,
    )


class ApproveForm(ActionForm):
    panel_date = forms.DateField(
        label="Resource Allocation Panel date (or the emergency plan's)", input_formats=UK_DATES
    )


class SendForm(ActionForm):
    providers = forms.MultipleChoiceField(label="Send to", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        referral = self.instance_obj
        kind = referral_next_round_kind(referral=referral)
        candidates = list(referral_candidates(referral=referral, kind=kind)) if kind else []
        field = self.fields["providers"]
        field.choices = [(str(p.pk), p.name) for p in candidates]
        field.initial = [str(p.pk) for p in candidates]
        field.widget = forms.CheckboxSelectMultiple(choices=field.choices)
        field.help_text = "Untick any provider that should not get it. Each gets one email."
        check = referral_send_check(referral=referral)
        self.warnings = [*check.errors.values(), *check.warnings]


class ResponseForm(ActionForm):
    provider = forms.ChoiceField(label="Provider")
    channel = forms.ChoiceField(
        label="Received by",
        choices=[(ResponseChannel.PHONE, "Phone"), (ResponseChannel.EMAIL, "Email")],
    )
    answer = forms.ChoiceField(label="Can they meet it?", choices=ResponseAnswer.choices)
    parts = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    hourly_rate = forms.DecimalField(
        label="Hourly rate (£)", required=False, min_value=0, max_digits=8, decimal_places=2
    )
    start_date = forms.DateField(required=False, input_formats=UK_DATES)
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = referral_current_round(referral=self.instance_obj)
        invitations = (
            ReferralInvitation.objects.filter(round=current).select_related("provider")
            if current
            else ReferralInvitation.objects.none()
        )
        self.fields["provider"].choices = [(str(i.pk), i.provider.name) for i in invitations]
        self.fields["provider"].widget.choices = self.fields["provider"].choices


class AwardForm(ActionForm):
    response = forms.ChoiceField(label="Award to")
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = referral_current_round(referral=self.instance_obj)
        choices = [
            (str(r.pk), r.invitation.provider.name)
            for r in (positive_responses(round=current) if current else [])
        ]
        self.fields["response"].choices = choices
        self.fields["response"].widget.choices = choices
        self.offers = offers_table(self.instance_obj)


class ReasonForm(ActionForm):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))


class CloseForm(ActionForm):
    confirm = forms.BooleanField(label="The deadline has passed: close the responses")


class UploadForm(ActionForm):
    side = forms.ChoiceField(
        label="Signed by",
        choices=[("provider", "The provider"), ("council", "The council (Brokerage Officer)")],
    )
    file = forms.FileField(label="Signed copy (PDF or scan)")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget = forms.ClearableFileInput()


def _approve(referral, data, user) -> str:
    referral_approve(referral=referral, user=user, panel_date=data["panel_date"])
    return f"{referral} is approved: it can be sent."


def _send(referral, data, user) -> str:
    round_ = referral_send(referral=referral, user=user, provider_ids=data["providers"])
    invitations = list(round_.invitations.select_related("provider"))
    message = (
        f"{round_} sent to {len(invitations)} provider(s): responses by {round_.deadline:%d/%m/%Y}."
    )
    no_email = sorted(i.provider.name for i in invitations if not i.email)
    if no_email:
        message += (
            f" No email address for {', '.join(no_email)}: call them, and record their "
            "answer with 'Record a response'."
        )
    return message


def _record(referral, data, user) -> str:
    invitation = ReferralInvitation.objects.filter(
        pk=data.pop("provider"), round__referral=referral
    ).first()
    if invitation is None:
        raise forms.ValidationError({"provider": "Choose a provider of the current round."})
    response_record(invitation=invitation, user=user, **data)
    return f"Response from {invitation.provider} recorded."


def _close(referral, data, user) -> str:
    referral_close_responses(referral=referral, user=user)
    return "Responses closed."


def _award(referral, data, user) -> str:
    response = ReferralResponse.objects.filter(
        pk=data["response"], invitation__round__referral=referral
    ).first()
    if response is None:
        raise forms.ValidationError({"response": "Choose a positive response."})
    contract = referral_award(
        referral=referral, user=user, response=response, reason=data["reason"]
    )
    return f"Awarded to {response.invitation.provider}: contract {contract.reference} created."


def _revise(referral, data, user) -> str:
    referral_revise(referral=referral, user=user, reason=data["reason"])
    return "Revised: change Part A, then send it round the framework again."


def _upload(referral, data, user) -> str:
    referral_signed_copy_upload(referral=referral, user=user, side=data["side"], file=data["file"])
    return f"{SIGNED_TITLES[data['side']]}: uploaded to the contract's documents."


def _reopen(referral, data, user) -> str:
    referral_reopen(referral=referral, user=user, reason=data["reason"])
    return "Reopened: the agreement ends and the referral can be sent again."


def _withdraw(referral, data, user) -> str:
    referral_withdraw(referral=referral, user=user, reason=data["reason"])
    return "Withdrawn."


def _not_placed(referral, data, user) -> str:
    referral_not_placed(referral=referral, user=user, reason=data["reason"])
    return "Recorded as not placed."


def _may_record(referral, user) -> bool:
    return referral.status in ("sent", "closed") and has_perm(
        user, "registers.respond_referral", referral
    )


REFERRAL_PAGES = (
    ActionPage(
        name="approve",
        label="Approve",
        icon="verified",
        form=ApproveForm,
        title="Manager's approval",
        run=_approve,
        allowed=lambda r, user: referral_approval_allowed(referral=r, user=user),
        intro="New support, or more support, is approved by the Resource Allocation Panel "
        "first; an emergency package by its Child Protection or Child in Need plan.",
    ),
    ActionPage(
        name="send",
        label="Send to providers",
        icon="send",
        form=SendForm,
        title="Send the anonymised referral",
        run=_send,
        allowed=lambda r, user: referral_send_allowed(referral=r, user=user),
        submit_label="Send",
        intro="Each provider gets one email with the referral's number only (no initials, no "
        "case ID) and a personal link, open until the deadline: 5 working days, 2 if urgent.",
    ),
    ActionPage(
        name="record_response",
        label="Record a response",
        icon="call",
        form=ResponseForm,
        title="Record a response received by phone or email",
        run=_record,
        allowed=_may_record,
    ),
    ActionPage(
        name="close",
        label="Close responses",
        icon="lock_clock",
        form=CloseForm,
        title="Close the responses",
        run=_close,
        allowed=lambda r, user: referral_close_allowed(referral=r, user=user),
    ),
    ActionPage(
        name="award",
        label="Compare and award",
        icon="emoji_events",
        form=AwardForm,
        title="Compare the offers and award",
        run=_award,
        allowed=lambda r, user: referral_award_allowed(referral=r, user=user),
        intro="Awarding creates the individual placement agreement in the contracts register "
        "and tells the allocated worker.",
    ),
    ActionPage(
        name="revise",
        label="Revise",
        icon="edit_note",
        form=ReasonForm,
        title="Revise the referral",
        run=_revise,
        allowed=lambda r, user: referral_revise_allowed(referral=r, user=user),
        intro="No offer on or off the framework: record the flexibility the worker agreed.",
    ),
    ActionPage(
        name="upload_signed",
        label="Upload signed agreement",
        icon="upload_file",
        form=UploadForm,
        title="Upload a signed copy of the agreement",
        run=_upload,
        allowed=lambda r, user: referral_upload_allowed(referral=r, user=user),
        submit_label="Upload",
    ),
    ActionPage(
        name="reopen",
        label="Provider cannot deliver",
        icon="restart_alt",
        form=ReasonForm,
        title="The provider can no longer deliver",
        run=_reopen,
        allowed=lambda r, user: referral_reopen_allowed(referral=r, user=user),
    ),
    ActionPage(
        name="withdraw",
        label="Withdraw",
        icon="cancel",
        form=ReasonForm,
        title="Withdraw the referral",
        run=_withdraw,
        allowed=lambda r, user: referral_end_allowed(referral=r, user=user),
    ),
    ActionPage(
        name="not_placed",
        label="Not placed",
        icon="block",
        form=ReasonForm,
        title="No provider could be found",
        run=_not_placed,
        allowed=lambda r, user: (
            referral_end_allowed(referral=r, user=user) and r.status == "closed"
        ),
    ),
)
