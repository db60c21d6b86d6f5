"""The default storage on a bucket of the suite's S3 server (tests/s3_server.py)."""


def s3_storage(s3, bucket: str) -> dict:
    """The default storage as config/settings.py makes it from `s3.env(bucket)`
    (tests/storage/test_storage_settings.py holds the two to the same)."""
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": s3.endpoint_url,
            "access_key": s3.access_key,
            "secret_key": s3.secret_key,
            "region_name": s3.region,
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": 60,
            "file_overwrite": False,
            "signature_version": "s3v4",
            "addressing_style": "path",
        },
    }
