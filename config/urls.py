from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from accounts import mfa_enrolment
from accounts import views as account_views
from config import api, health, views

# The Django admin logs in through allauth (rate limits, MFA), like Wagtail's admin does.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "Aeyia superuser admin"
# Staff work in the Wagtail admin; the Django admin is for superusers only.
admin.site.has_permission = lambda request: request.user.is_active and request.user.is_superuser

handler404 = "config.views.page_not_found"
handler500 = "config.views.server_error"
# allauth's rate limits answer through this one (allauth.core.internal.ratelimit).
handler429 = "config.views.too_many_requests"

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("", include("notifications.webhook_urls")),
    # allauth's enrolment views, keeping the page the MFA policy interrupted (before
    # allauth's own URLs, which they replace).
    path("accounts/2fa/totp/activate/", mfa_enrolment.activate_totp, name="mfa_activate_totp"),
    path(
        "accounts/2fa/recovery-codes/",
        mfa_enrolment.view_recovery_codes,
        name="mfa_view_recovery_codes",
    ),
    path("accounts/", include("allauth.urls")),
    path("_allauth/", include("allauth.headless.urls")),
    path("", include("allauth.idp.urls")),
    path("", include("accounts.urls")),
    path("", include("notifications.push.urls")),
    path("", include("privacy.rights.urls")),
    path("", include("commerce.credits.urls")),
    path("", include("commerce.partners.urls")),
    path("", include("commerce.payments.urls")),
    path("", include("commerce.memberships.urls")),
    path("", include("commerce.bookings.public_urls")),
    path("", include("commerce.bookings.feed_urls")),
    path("", include("commerce.bookings.dashboard_urls")),
    path("", include("commerce.bookings.booking_urls")),
    path("", include("commerce.rooms.urls")),
    path("", include("marketplace.practitioners.urls")),
    path("", include("marketplace.clients.messaging.urls")),
    path("", include("notifications.urls")),
    path("", include("marketplace.practitioners.apply_urls")),
    path("", include("marketplace.clients.intake.urls")),
    path("", include("marketplace.clients.documents.urls")),
    path("", include("marketplace.clients.records.urls")),
    path("", include("marketplace.clients.consent.urls")),
    path("", include("marketplace.clients.notes.urls")),
    path("", include("marketplace.clients.sharing.urls")),
    path("", include("cms.library.urls")),
    path("", include("cms.courses.urls")),
    path("", include("cms.contentful_sync.urls")),
    path("", include("marketing_site.seo.urls")),
    path("", include("marketing_site.leads.urls")),
    path("stripe-local/", include("integrations.stripe.urls")),
    path("typeform-local/", include("integrations.typeform.urls")),
    path("api/v1/", include(api.urlpatterns)),
    path("django-admin/", admin.site.urls),
    # Wagtail's login form would skip allauth's rate limits and MFA.
    path("cms/login/", account_views.wagtail_admin_login),
    path("cms/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
]

if settings.DEBUG or settings.SERVE_MEDIA_FILES:
    from django.urls import re_path
    from django.views.static import serve as serve_media

    # Media for local runs, except Wagtail's documents: those go through /documents/, where
    # lesson videos are checked (cms.courses.wagtail_hooks), never by their file name.
    urlpatterns += [
        re_path(
            rf"^{settings.MEDIA_URL.strip('/')}/(?!documents/)(?P<path>.*)$",
            serve_media,
            {"document_root": settings.MEDIA_ROOT},
        )
    ]
if settings.DEBUG:
    urlpatterns += [
        path("404/", views.page_not_found, {"exception": None}),
        path("500/", views.server_error),
    ]

urlpatterns.append(path("", include(wagtail_urls)))
