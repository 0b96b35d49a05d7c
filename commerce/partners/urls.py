from django.urls import path

from commerce.partners import views

app_name = "partners"

urlpatterns = [
    path("partners/", views.partner_index, name="index"),
    path("partners/join/", views.join, name="join"),
    path("partners/<slug:slug>/report/", views.report, name="report"),
    path("partners/<slug:slug>/report.csv", views.report_csv, name="report_csv"),
]
