from django import forms
from django.contrib.auth import forms as auth_forms
from django.core.validators import MaxLengthValidator

from organisation import services
from organisation.accounts import normalise_email
from portal_kit.forms import GovukFormMixin


class EmailAddressField(forms.EmailField):
    """An e-mail address, normalised (organisation.accounts.normalise_email) before it is
    checked, so every spelling of an address is one address."""

    def to_python(self, value):
        value = super().to_python(value)
        return normalise_email(value) if value else value


class SignInForm(GovukFormMixin, auth_forms.AuthenticationForm):
    submit_label = "Sign in"
    error_messages = {
        # The same words whether the account exists or not, so the form reveals nothing.
        "invalid_login": "Enter a correct email address and password",
        "inactive": "Enter a correct email address and password",
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = "Email address"
        self.fields["username"].widget.attrs.update(
            {"autocomplete": "email", "spellcheck": "false", "autofocus": False}
        )
        self.fields["username"].error_messages["required"] = "Enter your email address"
        # AuthenticationForm sets max_length after building the field, so no validator runs.
        self.fields["username"].validators.append(
            MaxLengthValidator(254, message=self.error_messages["invalid_login"])
        )
        self.fields["password"].error_messages["required"] = "Enter your password"


class PasswordChangeForm(GovukFormMixin, auth_forms.PasswordChangeForm):
    submit_label = "Change password"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = "Current password"
        self.fields["old_password"].error_messages["required"] = "Enter your current password"
        self.fields["new_password1"].error_messages["required"] = "Enter a new password"
        self.fields["new_password2"].error_messages["required"] = "Enter the new password again"
        self.error_messages["password_incorrect"] = "Your current password is wrong. Enter it again"  # noqa: S105
        self.error_messages["password_mismatch"] = "The two new passwords do not match"  # noqa: S105


class PasswordResetForm(GovukFormMixin, auth_forms.PasswordResetForm):
    submit_label = "Send reset link"

    email = EmailAddressField(
        label="Email address",
        max_length=254,
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )

    def get_users(self, email):
        from organisation import queries

        return queries.accounts_for_password_reset(email)

    def save(self, *, request, use_https=False, **kwargs):
        """Queue the reset e-mail; the worker finds the account (see
        services.request_password_reset). Django's version would look the account up and
        send the mail here, taking longer for an address that has an account."""
        scheme = "https" if use_https else "http"
        services.request_password_reset(
            email=self.cleaned_data["email"], base_url=f"{scheme}://{request.get_host()}"
        )


class SetPasswordForm(GovukFormMixin, auth_forms.SetPasswordForm):
    submit_label = "Set password"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].error_messages["required"] = "Enter a new password"
        self.fields["new_password2"].error_messages["required"] = "Enter the new password again"
        self.error_messages["password_mismatch"] = "The two new passwords do not match"  # noqa: S105


class TokenForm(GovukFormMixin, forms.Form):
    """A six-digit code from an authenticator app."""

    submit_label = "Continue"
    code = forms.CharField(
        label="Code from your authenticator app",
        help_text="The 6-digit code the app shows now, for example 123456",
        max_length=20,
        error_messages={"required": "Enter the 6-digit code from your authenticator app"},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}
        ),
    )

    def __init__(self, *args, label: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if label:
            self.fields["code"].label = label

    def clean_code(self):
        code = "".join(self.cleaned_data["code"].split())
        if not (code.isascii() and code.isdigit() and len(code) == 6):
            raise forms.ValidationError(
                "Enter the code as 6 digits, for example 123456", code="format"
            )
        return code
