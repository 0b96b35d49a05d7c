from django.urls import path

from marketplace.clients.notes import views

_PRACTICE = "dashboard/practice/clients/<int:record_id>/notes/"
_CLIENT = "account/care/<int:record_id>/notes/"

urlpatterns = [
    path(_PRACTICE, views.practice_notes, name="care-notes-practitioner"),
    path(f"{_PRACTICE}new/", views.practice_note_new, name="care-note-new"),
    path(f"{_PRACTICE}<int:note_id>/", views.practice_note, name="care-note-practitioner"),
    path(f"{_PRACTICE}<int:note_id>/sign/", views.practice_note_sign, name="care-note-sign"),
    path(
        f"{_PRACTICE}<int:note_id>/addenda/",
        views.practice_note_addendum,
        name="care-note-addendum",
    ),
    path(f"{_PRACTICE}<int:note_id>/share/", views.practice_note_share, name="care-note-share"),
    path(
        f"{_PRACTICE}<int:note_id>/unshare/",
        views.practice_note_unshare,
        name="care-note-unshare",
    ),
    path(_CLIENT, views.client_notes, name="care-notes-client"),
    path(f"{_CLIENT}<int:note_id>/", views.client_note, name="care-note-client"),
]
