"""Serving a stored file: one response for every download of every app."""

import logging

from django.http import FileResponse, Http404

logger = logging.getLogger(__name__)


def stored_file_response(
    field_file, *, filename: str, content_type: str, as_attachment: bool = True, etag: str = ""
) -> FileResponse:
    """The file's bytes, of the type given (never sniffed), as a download under `filename`
    unless `as_attachment` is false. A file lost from storage (a restore without the media, a
    bucket emptied) is logged and answered 404, as if it were not there, never a 500."""
    try:
        handle = field_file.open("rb")
    except FileNotFoundError:
        logger.error("Stored file missing: %s", field_file.name)
        raise Http404 from None
    response = FileResponse(
        handle, as_attachment=as_attachment, filename=filename, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    if etag:
        response["ETag"] = f'"{etag}"'
    return response
