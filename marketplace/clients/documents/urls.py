from django.urls import path

from marketplace.clients.documents import views

PRACTICE = "dashboard/practice/clients/<int:record_id>/documents/"
CLIENT = "account/care/<int:record_id>/documents/"

urlpatterns = [
    path(PRACTICE, views.practice_documents, name="care-documents-practitioner"),
    path(
        f"{PRACTICE}<int:document_id>/download/",
        views.practice_document_download,
        name="care-document-download-practitioner",
    ),
    path(
        f"{PRACTICE}<int:document_id>/share/",
        views.practice_document_share,
        name="care-document-share",
    ),
    path(
        f"{PRACTICE}<int:document_id>/delete/",
        views.practice_document_delete,
        name="care-document-delete-practitioner",
    ),
    path(CLIENT, views.client_documents, name="care-documents-client"),
    path(
        f"{CLIENT}<int:document_id>/download/",
        views.client_document_download,
        name="care-document-download-client",
    ),
    path(
        f"{CLIENT}<int:document_id>/delete/",
        views.client_document_delete,
        name="care-document-delete-client",
    ),
]
