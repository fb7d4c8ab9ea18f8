from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from registers import (
    respond_views,
    saved_view_views,
    second_factor_views,
    session_views,
    views,
)

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
    path("documents/<path:name>", views.contract_document, name="contract_document"),
    path(
        "compliance-documents/<path:name>",
        views.compliance_document,
        name="compliance_document",
    ),
    # A provider's answer to a brokerage referral: public, behind a hashed personal token.
    path("respond/<str:token>/", respond_views.respond, name="referral_respond"),
    path("regulation-reports/<path:name>", views.regulation_report, name="regulation_report"),
    path("visit-reports/<path:name>", views.visit_report, name="visit_report"),
    path("concern-letters/<path:name>", views.concern_letter, name="concern_letter"),
    path(
        "account/second-factor/",
        include(
            (
                [
                    path("", second_factor_views.verify, name="verify"),
                    path("set-up/", second_factor_views.set_up, name="set_up"),
                    path(
                        "recovery-codes/",
                        second_factor_views.new_recovery_codes,
                        name="recovery_codes",
                    ),
                ],
                "second_factor",
            )
        ),
    ),
    path(
        "account/session/",
        include(([path("", session_views.status, name="status")], "session")),
    ),
    path("webauthn/", include("django_otp_webauthn.urls", namespace="otp_webauthn")),
    path(
        "admin/saved-views/",
        include(
            (
                [
                    path("", admin.site.admin_view(saved_view_views.index), name="list"),
                    path("save/", admin.site.admin_view(saved_view_views.save), name="save"),
                ],
                "saved_views",
            )
        ),
    ),
    path("admin/", admin.site.urls),
]

# The portal's own refusal and error pages (registers/error_views.py).
handler403 = "registers.error_views.permission_denied"
handler404 = "registers.error_views.page_not_found"
handler500 = "registers.error_views.server_error"
