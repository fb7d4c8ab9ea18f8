from django.contrib import admin
from django.urls import path
from django.views.generic import RedirectView

from registers import views

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
    path("documents/<path:name>", views.contract_document, name="contract_document"),
    path("admin/", admin.site.urls),
]
