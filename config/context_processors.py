from django.conf import settings


def site(request):
    """What the site shell needs on every page."""
    return {
        "site_name": "Aeyia",
        "userway_account_id": settings.USERWAY_ACCOUNT_ID,
    }
