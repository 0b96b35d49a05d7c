from .env import VAR_DIR, env

# Locked library files and practitioners' credential documents are stored outside
# MEDIA_ROOT and reached only through permission-checked views (or short-lived signed URLs
# on S3 in production).
PRIVATE_MEDIA_ROOT = env.path("PRIVATE_MEDIA_ROOT", default=VAR_DIR / "private")
# Seconds a signed download link stays valid.
PRIVATE_DOWNLOAD_URL_MAX_AGE = env.int("PRIVATE_DOWNLOAD_URL_MAX_AGE", default=300)
# Where locked files live: on disk under PRIVATE_MEDIA_ROOT here; production.py switches to
# a private S3 bucket with signed URLs. Kept apart from STORAGES["default"] so nothing
# uploaded through the public media path can land in it by accident.
# (filestore/ serves them; the old dotted path cms.library.storage.PrivateFileSystemStorage
# still works.)
PRIVATE_STORAGE = {"BACKEND": "filestore.PrivateFileSystemStorage"}
# Largest lesson video a course author may upload (bytes; default 2 GiB). The ingress must
# accept request bodies this large too.
COURSE_VIDEO_MAX_BYTES = env.int("COURSE_VIDEO_MAX_BYTES", default=2 * 1024**3)
