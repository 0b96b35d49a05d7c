"""A private S3 bucket under moto, configured the way config/settings/production.py
configures PRIVATE_STORAGE."""

import contextlib

import boto3
from moto import mock_aws

from filestore import private_storage_reset

BUCKET = "aeyia-private"
REGION = "eu-west-2"


@contextlib.contextmanager
def s3_private_storage(settings, *, max_age: int = 120):
    """Inside: PRIVATE_STORAGE is the private bucket (prefix `private/`), signed URLs
    live `max_age` seconds, and the bucket exists in moto. Yields the boto3 client."""
    with mock_aws():
        settings.PRIVATE_DOWNLOAD_URL_MAX_AGE = max_age
        settings.AWS_S3_REGION_NAME = REGION
        settings.AWS_ACCESS_KEY_ID = "testing"
        settings.AWS_SECRET_ACCESS_KEY = "testing"  # moto's fake key
        client = boto3.client("s3", region_name=REGION)
        client.create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION}
        )
        settings.PRIVATE_STORAGE = {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "location": "private",
                "default_acl": "private",
                "querystring_auth": True,
                "querystring_expire": max_age,
                "file_overwrite": False,
                "custom_domain": None,
            },
        }
        private_storage_reset()
        try:
            yield client
        finally:
            private_storage_reset()
