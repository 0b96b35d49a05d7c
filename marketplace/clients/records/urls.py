"""The record pages. Every URL name of the client-records feature starts with `care-`
and every per-record URL takes `record_id` (tests/marketplace/clients/
test_isolation_matrix.py enumerates them). Section apps mount their own URLconfs in
config/urls.py with their pages under the record's paths:
/dashboard/practice/clients/<record_id>/<section>/ and /account/care/<record_id>/<section>/."""

from django.urls import path

from marketplace.clients.records import views

urlpatterns = [
    path("account/care/", views.client_record_list, name="care-client-records"),
    path("account/care/access/", views.access_log, name="care-access-log"),
    path("account/care/<int:record_id>/", views.client_record, name="care-client-record"),
    path(
        "dashboard/practice/clients/<int:record_id>/",
        views.practitioner_record,
        name="care-practitioner-record",
    ),
]
