"""The shape of every form page: a view hands its valid form to one service, puts the
service's refusal back on the form, or confirms and moves on. Shared by every app (committees'
manage pages, the whistleblowing handlers' pages); the page itself is
`templates/includes/form_page.html`."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render


def add_service_error(form, error: ValidationError, renames: dict | None = None) -> None:
    """Put a service's error on the form: dict keys onto the fields of the same (or renamed)
    name, anything else (and errors about hidden fields) at the top of the error summary."""
    renames = renames or {}
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for key, errors in error.error_dict.items():
        name = renames.get(key, key)
        field = form.fields.get(name)
        visible = field is not None and not field.widget.is_hidden
        form.add_error(name if visible else None, errors)


def posted(request):
    """The submitted data on POST (even if empty, so the form is bound), else None."""
    return request.POST if request.method == "POST" else None


def posted_files(request):
    """The uploaded files on POST, else None."""
    return request.FILES if request.method == "POST" else None


def form_view(request, form, *, template, act, done, renames=None, **context):
    """On a valid POST, `act(cleaned_data)` calls one service; a refusal goes back on the
    form (`renames` maps the service's field names onto the form's), success gives
    `done(result)`: (the confirmation, where to go next). Otherwise `template` is rendered
    with the form and `context`."""
    if request.method == "POST" and form.is_valid():
        try:
            result = act(form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error, renames)
        else:
            message, url = done(result)
            messages.success(request, message)
            return redirect(url)
    return render(request, template, {"form": form, **context})
