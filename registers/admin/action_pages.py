"""Action pages, declared: Approve, Extend, Authorise, Escalate and the like.

Each is a plain page with a small form that runs one service on one record.
It is offered, and accepted, only when its ``allowed`` says so for this
record and this user; its POST re-checks before the service runs, and the
service's refusal shows as form errors, never a server error.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from unfold.decorators import action

from registers.admin.forms import ActionForm, add_service_errors
from registers.admin.permissions import request_cache


@dataclass(frozen=True)
class ActionPage:
    name: str  # the URL path; the admin method Unfold calls is "<name>_page"
    label: str  # the button on the record's page
    icon: str
    form: type[ActionForm]
    title: str
    run: Callable[[Model, dict, object], str]  # (record, form data, user) -> message
    allowed: Callable[[Model, object], bool]  # (record, user) -> offered?
    submit_label: str = "Confirm"
    intro: str = ""
    field_map: Mapping[str, str] = field(default_factory=dict)  # service field -> form field
    # What the user confirms, shown above the form: (record) -> [(label, value)].
    facts: Callable[[Model], list[tuple[str, str]]] | None = None


class ActionPagesMixin:
    action_pages: tuple[ActionPage, ...] = ()
    action_form_template = "registers/admin/action_form.html"

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        pages = cls.__dict__.get("action_pages", ())
        for page in pages:
            setattr(cls, f"has_{page.name}_page_permission", _permission(page))
            setattr(cls, f"{page.name}_page", _view(page))
        if pages:
            names = [f"{page.name}_page" for page in pages]
            cls.actions_detail = (*cls.__dict__.get("actions_detail", ()), *names)

    def get_urls(self):
        # Ahead of Unfold's own routes for these actions: a malformed or unknown id
        # is a 404 and a refusal a 403, decided here rather than before the view runs.
        info = self.opts.app_label, self.opts.model_name
        pages = [
            path(
                f"<path:object_id>/{_url_path(page)}/",
                self.admin_site.admin_view(partial(self.run_action_page, page=page)),
                name="{}_{}_".format(*info) + f"{page.name}_page",
            )
            for page in self.action_pages
        ]
        return pages + super().get_urls()

    def run_action_page(self, request, object_id, page: ActionPage):
        obj = self.get_object_or_404(request, object_id)
        if not page.allowed(obj, request.user):
            raise PermissionDenied
        form = page.form(
            request.POST or None, request.FILES or None, instance_obj=obj, user=request.user
        )
        if request.method == "POST" and form.is_valid():
            try:
                message = page.run(obj, form.cleaned_data, request.user)
            except ValidationError as exc:
                add_service_errors(form, exc, page.field_map)
            else:
                messages.success(request, message)
                opts = self.model._meta
                return HttpResponseRedirect(
                    reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
                )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": obj,
            "title": page.title,
            "form": form,
            "submit_label": page.submit_label,
            "intro": page.intro,
            "facts": page.facts(obj) if page.facts else [],
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.action_form_template, context)


def _view(page: ActionPage):
    def view(self, request, object_id):
        return self.run_action_page(request, object_id, page)

    view.__name__ = f"{page.name}_page"
    return action(
        description=page.label,
        url_path=_url_path(page),
        permissions=[f"{page.name}_page"],
        icon=page.icon,
    )(view)


def _url_path(page: ActionPage) -> str:
    return page.name.replace("_", "-")


def _permission(page: ActionPage):
    """Whether the record's page offers the action: only when it applies."""

    def has_permission(self, request, object_id=None):
        if object_id is None:
            return False
        # Each of the record's action buttons asks: read the record once per request.
        obj = request_cache(
            request,
            ("action-page-object", self.model._meta.label, object_id),
            lambda: self.get_object(request, unquote(object_id)),
        )
        return obj is not None and page.allowed(obj, request.user)

    return has_permission
