"""The QA officers' pages: My visits, Due and overdue, the calendar, the iCal link."""

from datetime import date

from django import forms
from django.conf import settings as conf
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from registers.dates import add_months
from registers.models import CalendarFeed
from registers.selectors.regulation_reports import (
    settings_missing_reports,
    settings_missing_reports_for_officer,
)
from registers.selectors.visit_reports import responses_overdue_for_officer
from registers.selectors.visits import (
    calendar_month,
    overdue_actions_for_officer,
    overdue_planned_visits,
    settings_due_for_visit,
    visits_for_officer,
)
from registers.services.calendar_feeds import calendar_feed_issue, calendar_feed_revoke


class MonthForm(forms.Form):
    month = forms.RegexField(regex=r"^\d{4}-\d{2}$", required=False)
    mine = forms.BooleanField(required=False)

    def month_start(self, today: date) -> date:
        value = self.cleaned_data.get("month") if self.is_valid() else None
        if value:
            year, month = (int(part) for part in value.split("-"))
            if 2000 <= year <= 2100 and 1 <= month <= 12:
                return date(year, month, 1)
        return today.replace(day=1)


class ScheduleViewsMixin:
    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        wrap = self.admin_site.admin_view
        return [
            path("my/", wrap(self.my_visits_view), name="%s_%s_my" % info),
            path("due/", wrap(self.due_view), name="%s_%s_due" % info),
            path("calendar/", wrap(self.calendar_view), name="%s_%s_calendar" % info),
            path("calendar-feed/", wrap(self.feed_view), name="%s_%s_feed" % info),
        ] + super().get_urls()

    def _schedule_page(self, request, template: str, title: str, **context):
        if not self.has_view_permission(request):
            raise PermissionDenied
        request.current_app = self.admin_site.name
        return TemplateResponse(
            request,
            template,
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": title,
                "today": timezone.localdate(),
                **context,
            },
        )

    def my_visits_view(self, request):
        today = timezone.localdate()
        return self._schedule_page(
            request,
            "registers/admin/my_visits.html",
            "My visits",
            groups=visits_for_officer(user=request.user, today=today),
            overdue_actions=overdue_actions_for_officer(user=request.user, today=today),
            has_feed=CalendarFeed.objects.filter(user=request.user).exists(),
            reports_due=list(settings_missing_reports_for_officer(user=request.user, today=today)),
            responses_overdue=list(responses_overdue_for_officer(user=request.user, today=today)),
        )

    def due_view(self, request):
        today = timezone.localdate()
        return self._schedule_page(
            request,
            "registers/admin/due_visits.html",
            "Due and overdue visits",
            due_settings=settings_due_for_visit(today=today),
            reg44_run_months=conf.REG44_MISSING_RUN_MONTHS,
            overdue_visits=overdue_planned_visits(today=today, viewer=request.user),
            reports_due=list(settings_missing_reports(today=today)),
        )

    def calendar_view(self, request):
        today = timezone.localdate()
        form = MonthForm(request.GET or None)
        start = form.month_start(today)
        mine = form.is_valid() and form.cleaned_data.get("mine")
        weeks = calendar_month(
            year=start.year,
            month=start.month,
            user=request.user if mine else None,
            viewer=request.user,
        )
        return self._schedule_page(
            request,
            "registers/admin/calendar.html",
            f"Visits in {start:%B %Y}",
            weeks=weeks,
            month=start,
            previous_month=add_months(start, -1),
            next_month=add_months(start, 1),
            mine=mine,
        )

    def feed_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        new_url = None
        if request.method == "POST":
            if request.POST.get("do") == "revoke":
                calendar_feed_revoke(user=request.user)
                messages.success(request, "Your calendar link is revoked: it no longer works.")
                return HttpResponseRedirect(reverse("admin:registers_visit_feed"))
            token = calendar_feed_issue(user=request.user)
            new_url = request.build_absolute_uri(reverse("calendar_feed", args=[token]))
        return self._schedule_page(
            request,
            "registers/admin/calendar_feed.html",
            "My calendar link",
            new_url=new_url,
            has_feed=CalendarFeed.objects.filter(user=request.user).exists(),
        )
