"""Serving a file: one response for every download of every app, from storage or (a file
unsealed for the person asking) from memory."""

import io
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
    response = _file_response(
        handle, filename=filename, content_type=content_type, as_attachment=as_attachment
    )
    if etag:
        response["ETag"] = f'"{etag}"'
    return response


def bytes_file_response(data: bytes, *, filename: str, content_type: str) -> FileResponse:
    """Bytes held in memory (a file decrypted for the person asking), served as a stored
    file is, always as a download, and never kept by a browser or a proxy."""
    response = _file_response(
        io.BytesIO(data), filename=filename, content_type=content_type, as_attachment=True
    )
    response["Cache-Control"] = "private, no-store"
    return response


def _file_response(handle, *, filename, content_type, as_attachment) -> FileResponse:
    """Of the type given (never sniffed), as a download under `filename` unless
    `as_attachment` is false."""
    response = FileResponse(
        handle, as_attachment=as_attachment, filename=filename, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
