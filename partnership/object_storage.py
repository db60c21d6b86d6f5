"""Stored files in object storage (django-storages' S3 backend), served without public URLs.

The bucket is private. `partnership.uploads.download_response` decides, after the caller has
applied the access rule, whether a file leaves through the web node (`object_stream`) or as a
redirect to a presigned URL that works for `S3_PRESIGN_SECONDS` (at most a minute) and carries the
name and type the browser would have got from us (`presigned_redirect`).
"""

import sys

from django.conf import settings
from django.http import Http404, HttpResponseRedirect


def in_object_storage(storage) -> bool:
    """Whether `storage` is django-storages' S3 backend.

    Checked on the module already imported: a storage of that class exists only once its module
    has been, and the embedded run (files on the local disk) never pays for importing boto3.
    """
    s3 = sys.modules.get("storages.backends.s3")
    return s3 is not None and isinstance(storage, s3.S3Storage)


def redirects_downloads(storage) -> bool:
    return in_object_storage(storage) and settings.S3_DOWNLOADS == "redirect"


def presigned_redirect(file, *, disposition: str, content_type: str) -> HttpResponseRedirect:
    """302 to a presigned GET of the object, with our Content-Disposition and Content-Type.

    The object is looked up first (one HEAD) so that a row whose object went missing answers our
    404 rather than the store's error page; the URL is signed locally, without a request.
    """
    if not file.storage.exists(file.name):
        raise Http404
    url = file.storage.url(
        file.name,
        parameters={
            "ResponseContentDisposition": disposition,
            "ResponseContentType": content_type,
            "ResponseCacheControl": "private, no-store",
        },
        # Whatever the storage's own options say: the URL is a bearer token for the file.
        expire=settings.S3_PRESIGN_SECONDS,
    )
    response = HttpResponseRedirect(url)
    response["Cache-Control"] = "no-store"
    return response


def object_stream(file):
    """The object's body as S3 sends it, read in chunks as the response goes out (nothing is
    buffered whole or written to disk), and its size."""
    from botocore.exceptions import ClientError

    try:
        s3_file = file.storage.open(file.name, "rb")  # a HEAD: FileNotFoundError when missing
        body = s3_file.obj.get()["Body"]
    except FileNotFoundError as exc:
        raise Http404 from exc
    except ClientError as exc:  # deleted between the HEAD and the GET
        if exc.response["ResponseMetadata"]["HTTPStatusCode"] == 404:
            raise Http404 from exc
        raise
    return body, s3_file.obj.content_length
