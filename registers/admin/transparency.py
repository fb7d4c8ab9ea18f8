"""The Transparency Code file of contracts over £5,000, from the contracts list."""

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from unfold.decorators import action

from registers.admin.forms import ActionForm, unfold_widget
from registers.dates import last_completed_quarter, parse_quarter, quarters_kind
from registers.permissions import authority_scope, has_perm
from registers.services.transparency import transparency_csv_write, transparency_left_out


class QuarterForm(ActionForm):
    quarter = forms.CharField(
        label="Quarter",
        max_length=6,
        initial=lambda: "{}Q{}".format(*last_completed_quarter(timezone.localdate())),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["quarter"].help_text = f"A {quarters_kind()}, for example 2026Q3."
        scope = authority_scope(self.user)
        if len(scope.member_ids) > 1:
            # Each council publishes its own contracts: one in several picks which.
            self.fields["authority"] = forms.TypedChoiceField(
                label="Authority",
                coerce=int,
                choices=[("", "Choose the council publishing")]
                + [(pk, scope.names[pk]) for pk in sorted(scope.member_ids, key=scope.names.get)],
                help_text="The file holds only this council's contracts.",
            )
            self.fields["authority"].widget = unfold_widget(self.fields["authority"])

    def clean_quarter(self):
        try:
            return parse_quarter(self.cleaned_data["quarter"])
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None


class TransparencyFileMixin:
    actions_list = ["transparency_file"]

    def get_urls(self):
        return [
            path(
                "transparency/",
                self.admin_site.admin_view(self.transparency_view),
                name="registers_contract_transparency",
            ),
        ] + super().get_urls()

    def transparency_view(self, request):
        """Choose a quarter, download the Transparency Code CSV."""
        if not self.has_transparency_permission(request):
            raise PermissionDenied
        form = QuarterForm(request.GET or None, user=request.user)
        left_out = []
        if request.GET and form.is_valid():
            year, quarter = form.cleaned_data["quarter"]
            left_out = transparency_left_out(
                year=year,
                quarter=quarter,
                user=request.user,
                authority_id=form.cleaned_data.get("authority"),
            )
        if request.GET and form.is_valid() and (not left_out or request.GET.get("confirmed")):
            response = HttpResponse(content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = (
                f'attachment; filename="transparency-contracts-{year}Q{quarter}.csv"'
            )
            response.write("\ufeff")  # so Excel reads the £ sign as UTF-8
            transparency_csv_write(
                year=year,
                quarter=quarter,
                stream=response,
                user=request.user,
                authority_id=form.cleaned_data.get("authority"),
            )
            return response
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Transparency Code: contracts over £5,000",
            "form": form,
            "left_out": left_out,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "registers/admin/transparency.html", context)

    def has_transparency_permission(self, request):
        return has_perm(request.user, "registers.export_contract")

    @action(
        description="Transparency Code file",
        url_path="transparency-start",
        permissions=["transparency"],
        icon="publish",
    )
    def transparency_file(self, request):
        return HttpResponseRedirect(reverse("admin:registers_contract_transparency"))
