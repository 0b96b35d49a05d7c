"""robots.txt and the sitemap, at the site root."""

from django.urls import path

from marketing_site.seo import views

urlpatterns = [
    path("robots.txt", views.robots_txt, name="robots-txt"),
    path("sitemap.xml", views.sitemap_xml, name="sitemap-xml"),
]
