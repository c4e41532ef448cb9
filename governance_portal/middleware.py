from django.conf import settings
from django.template.response import TemplateResponse


class RequestSizeLimitMiddleware:
    """Refuse a request whose declared body is over MAX_REQUEST_BYTES before anything reads
    it, so an oversized upload never reaches memory or disk."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.MAX_REQUEST_BYTES:
            return TemplateResponse(
                request,
                "413.html",
                {"limit_mb": settings.MAX_UPLOAD_BYTES // (1024 * 1024)},
                status=413,
            ).render()
        return self.get_response(request)


#: For any answer that reached the client without passing CSPMiddleware (static files served
#: by WhiteNoise, Django's own 400 for a host it does not serve): the portal's policy, with
#: no nonce (such answers carry no script of their own).
FALLBACK_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)


class BaselineHeadersMiddleware:
    """The outermost middleware: every answer leaves with the security headers, whichever
    layer produced it (an inner middleware that answers early skips the ones after it), and
    an answer meant for one person is never stored by a browser cache or a proxy.

    The specific middleware (SecurityMiddleware, XFrameOptionsMiddleware, CSPMiddleware) still
    sets these where it runs; this only fills in what is missing."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", settings.SECURE_REFERRER_POLICY)
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        response.headers.setdefault("Content-Security-Policy", FALLBACK_CSP)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            # A signed-in page may show exempt business or whistleblowing case details:
            # whatever a view said, nothing keeps a copy.
            response.headers.pop("Expires", None)
            response["Cache-Control"] = "private, no-store, no-cache"
        return response
