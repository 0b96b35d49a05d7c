"""Pages of this app (filled in as the app grows)."""

urlpatterns: list = []
