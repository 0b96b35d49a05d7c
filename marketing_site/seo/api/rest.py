"""REST endpoints of this app under /api/v1/."""

urlpatterns: list = []
