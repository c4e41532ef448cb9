"""The read-only OParl 1.1 open-data API at /oparl/v1/ (see committees/oparl.py).

Open to everyone and the same for everyone: every read is the public's (queries_oparl.PUBLIC),
whoever is signed in. Views parse the request, read through queries_oparl and write through
oparl. Every response is JSON in UTF-8 with `Access-Control-Allow-Origin: *`; errors are
OParl error objects with the matching status.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from django.db.models import QuerySet
from django.http import (
    FileResponse,
    Http404,
    HttpResponse,
    HttpResponsePermanentRedirect,
    JsonResponse,
)
from django.urls import Resolver404, resolve
from django.views.decorators.csrf import csrf_exempt

from committees.oparl import queries
from committees.oparl import shapes as oparl
from portal_kit.files import stored_file_response

JSON = "application/json; charset=utf-8"
SAFE_METHODS = ("GET", "HEAD")
ALLOWED = "GET, HEAD, OPTIONS"
#: Files a browser may show in place; anything else is sent as bytes to save.
INLINE_TYPES = frozenset(
    {
        "application/pdf",
        "application/msword",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "image/png",
        "image/jpeg",
        "text/plain",
    }
)


@dataclass(frozen=True)
class Kind:
    """One OParl object type: its readable rows and, where kept, its deleted ones."""

    rows: Callable[[], QuerySet]
    deleted: Callable[[], QuerySet] | None = None


KINDS = {
    "legislative_term": Kind(queries.legislative_terms, queries.deleted_legislative_terms),
    "location": Kind(queries.locations, queries.deleted_locations),
    "organization": Kind(queries.organizations, queries.deleted_organizations),
    "person": Kind(queries.persons, queries.deleted_persons),
    "membership": Kind(queries.memberships, queries.deleted_memberships),
    "meeting": Kind(queries.meetings, queries.deleted_meetings),
    "agenda_item": Kind(queries.agenda_items, queries.deleted_agenda_items),
    "paper": Kind(queries.papers, queries.deleted_papers),
    "consultation": Kind(queries.consultations),
    "file": Kind(queries.files),
}


def _json(data: dict, status: int = 200) -> JsonResponse:
    return JsonResponse(
        data, status=status, content_type=JSON, json_dumps_params={"ensure_ascii": False}
    )


def _error(status: int, message: str, debug: str = "") -> JsonResponse:
    return _json(oparl.error(message, debug), status=status)


def oparl_endpoint(view):
    """Answers CORS preflight, refuses methods other than GET and HEAD, turns "not found"
    and unreadable parameters into OParl error objects, and lets any origin read the
    answer."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method == "OPTIONS":
            response = HttpResponse(status=204)
            response["Access-Control-Allow-Methods"] = ALLOWED
            response["Access-Control-Allow-Headers"] = "Accept, Accept-Language, Content-Type"
            response["Access-Control-Max-Age"] = "86400"
            response["Allow"] = ALLOWED
        elif request.method not in SAFE_METHODS:
            response = _error(405, "This API only reads: use GET.")
            response["Allow"] = ALLOWED
        else:
            try:
                response = view(request, *args, **kwargs)
            except Http404:
                response = _error(404, "There is no such object or list.", request.path)
            except oparl.BadRequest as exc:
                response = _error(400, str(exc))
        response["Access-Control-Allow-Origin"] = "*"
        return response

    # Read-only and cookie-free: a POST meets the 405 above, not the CSRF check's HTML 403.
    return csrf_exempt(wrapped)


def _list(request, *, kind: str, rows: QuerySet, deleted: QuerySet | None, council, **options):
    wanted = oparl.ListRequest.parse(request.GET, page_size=oparl.page_size(kind))
    rows = queries.within(rows, wanted.window)
    if wanted.includes_deleted and deleted is not None:
        deleted = queries.within(deleted, wanted.window, history=True)
    else:
        deleted = None
    shown, gone, total = queries.page(rows, deleted, offset=wanted.offset, limit=wanted.limit)
    if wanted.page > 1 and not shown and not gone:
        raise Http404
    shapes = oparl.OParl(request, council, omit_internal=wanted.omit_internal, **options)
    data = [shapes.shape(kind, obj) for obj in shown]
    data += [shapes.deleted(kind, record) for record in gone]
    list_url = request.build_absolute_uri(request.path)
    return _json(shapes.list_page(list_url, wanted, data, total))


# The endpoint and the body ---------------------------------------------------------------


@oparl_endpoint
def system(request):
    return _json(oparl.OParl(request, queries.council()).system())


@oparl_endpoint
def body_list(request):
    council = queries.council()
    return _list(
        request,
        kind="body",
        rows=queries.councils(),
        deleted=None,
        council=council,
        legislative_terms=list(queries.legislative_terms()),
    )


@oparl_endpoint
def body(request, pk):
    council = queries.council_with_pk(pk)
    if council is None:
        raise Http404
    terms = list(queries.legislative_terms())
    return _json(oparl.OParl(request, council, legislative_terms=terms).body(council))


@oparl_endpoint
def body_objects(request, pk, kind):
    """One of the body's external lists: organization, person, meeting, paper, ..."""
    council = queries.council_with_pk(pk)
    if council is None:
        raise Http404
    spec = KINDS[kind]
    deleted = spec.deleted() if spec.deleted else None
    return _list(request, kind=kind, rows=spec.rows(), deleted=deleted, council=council)


@oparl_endpoint
def organization_meetings(request, pk):
    organization = queries.organization_or_none(pk)
    if organization is None:
        raise Http404
    return _list(
        request,
        kind="meeting",
        rows=queries.meetings(organization=organization),
        deleted=None,
        council=None,  # meetings do not name the body
    )


# Objects ------------------------------------------------------------------------------------


@oparl_endpoint
def object_detail(request, pk, kind):
    """An object the public may see, or what stays of it once deleted; else 404 (the same
    for a private report as for one that never existed)."""
    spec = KINDS[kind]
    obj = spec.rows().filter(pk=pk).first()
    if obj is not None:
        return _json(oparl.OParl(request, queries.council()).shape(kind, obj))
    record = spec.deleted().filter(id=pk).first() if spec.deleted else None
    if record is None:
        raise Http404
    return _json(oparl.OParl(request, None).deleted(kind, record))


def _file_response(pk: int, *, as_attachment: bool) -> FileResponse:
    document = queries.file_or_none(pk)
    if document is None:
        raise Http404
    known = document.mime_type in INLINE_TYPES
    return stored_file_response(
        document.file,
        as_attachment=as_attachment,
        filename=document.original_name,
        content_type=document.mime_type if known else "application/octet-stream",
        etag=document.sha256,
    )


@oparl_endpoint
def file_access(request, pk):
    """The file's bytes to show in place (OParl accessUrl: never sent as an attachment)."""
    return _file_response(pk, as_attachment=False)


@oparl_endpoint
def file_download(request, pk):
    """The file's bytes to save, with its name (OParl downloadUrl)."""
    return _file_response(pk, as_attachment=True)


@oparl_endpoint
def not_found(request, rest):
    """Any other address under the API: an OParl error, or the canonical address with its
    closing slash."""
    if not request.path_info.endswith("/"):
        try:
            match = resolve(request.path_info + "/")
        except Resolver404:
            match = None
        if match is not None and match.url_name != "not_found":
            query = request.META.get("QUERY_STRING", "")
            return HttpResponsePermanentRedirect(
                request.path + "/" + (f"?{query}" if query else "")
            )
    raise Http404
