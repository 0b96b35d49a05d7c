from django.urls import path

from privacy.rights import views

urlpatterns = [
    path("account/privacy/export/", views.data_export_page, name="privacy-data-export"),
    path(
        "account/privacy/export/start/", views.data_export_start, name="privacy-data-export-start"
    ),
    path(
        "account/privacy/export/download/<str:token>/",
        views.data_export_download,
        name="privacy-data-export-download",
    ),
    path("account/privacy/erase/", views.erasure_request_page, name="privacy-erasure-request"),
]
