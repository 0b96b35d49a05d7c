"""Learner pages of the courses app (course and lesson pages themselves are Wagtail pages)."""

from django.urls import path

from cms.courses import views

urlpatterns = [
    path("account/learning/", views.my_learning_view, name="my-learning"),
    path(
        "account/learning/certificates/<str:code>/download/",
        views.certificate_download_view,
        name="certificate-download",
    ),
    path("certificates/<str:code>/", views.certificate_verify_view, name="certificate-verify"),
    path("learning/courses/<int:course_id>/enrol/", views.course_enrol_view, name="course-enrol"),
    path("learning/courses/<int:course_id>/paid/", views.course_paid_view, name="course-paid"),
    path(
        "learning/courses/<int:course_id>/checkout-cancelled/",
        views.course_checkout_cancelled_view,
        name="course-checkout-cancelled",
    ),
]
