"""The benchmark's baseline: default Unfold ModelAdmins of the same six models.

Only scripts/bench_admin.py loads this module (as ROOT_URLCONF, from the
scripts directory): the portal's own URLs, plus /baseline/, an admin site
with the same theme and none of the portal's customisation.
"""

from django.urls import path
from unfold.admin import ModelAdmin
from unfold.sites import UnfoldAdminSite

from portal.urls import urlpatterns as portal_urlpatterns
from registers.models import ActionItem, Contract, Inspection, Provider, Setting, Visit

site = UnfoldAdminSite(name="baseline")


class DefaultAdmin(ModelAdmin):
    list_per_page = 50


for model in (Provider, Setting, Inspection, Contract, Visit, ActionItem):
    site.register(model, DefaultAdmin)

urlpatterns = [path("baseline/", site.urls), *portal_urlpatterns]
