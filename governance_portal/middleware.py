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
