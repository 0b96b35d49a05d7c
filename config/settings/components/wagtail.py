from .core import SITE_URL

WAGTAIL_SITE_NAME = "Aeyia"
WAGTAILADMIN_BASE_URL = SITE_URL
# The admins log in through allauth, so its rate limits and MFA apply there too.
WAGTAILADMIN_LOGIN_URL = "account_login"
WAGTAIL_FRONTEND_LOGIN_URL = "account_login"
WAGTAIL_PASSWORD_MANAGEMENT_ENABLED = False
WAGTAIL_PASSWORD_RESET_ENABLED = False
WAGTAILUSERS_PASSWORD_ENABLED = False
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
# mp4 and webm only as lesson videos: cms.courses.forms checks their content and keeps them
# in the "Course videos" collection.
WAGTAILDOCS_EXTENSIONS = ["pdf", "docx", "odt", "txt", "mp4", "webm"]
WAGTAILDOCS_DOCUMENT_FORM_BASE = "cms.courses.forms.CourseDocumentForm"
WAGTAILIMAGES_FORMAT_CONVERSIONS = {"bmp": "png", "gif": "png"}
WAGTAIL_ENABLE_UPDATE_CHECK = False
# No Gravatar: an admin page would load each editor's avatar from a third party (their
# email's hash goes out, and the admin's Content Security Policy would block the image
# anyway). Wagtail shows its default avatar, or one the editor uploads.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
