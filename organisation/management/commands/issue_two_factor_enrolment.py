import os

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.timezone import localtime

from organisation import queries, services, tokens
from organisation.policies import SERVER_CONSOLE


class Command(BaseCommand):
    help = (
        "E-mail an account a link to set up its two-factor authenticator app, replacing any "
        "it has. The only way for superuser accounts: after `createsuperuser`, run this "
        "with --show to set up the first one."
    )

    def add_arguments(self, parser):
        parser.add_argument("email", help="the account's e-mail address")
        parser.add_argument(
            "--show",
            action="store_true",
            help="also print the link here, for the person at the server's console",
        )
        parser.add_argument(
            "--base-url",
            help="the portal's address for the link, like https://governance.example.gov.uk "
            "(default: the first of ALLOWED_HOSTS)",
        )

    def handle(self, *args, email, show, base_url, **options):
        account = queries.account_with_email(email)
        if account is None:
            raise CommandError(f"No account has the email address {email}")
        base_url = (base_url or _default_base_url()).rstrip("/")
        try:
            enrolment = services.issue_two_factor_enrolment(
                account=account, actor=SERVER_CONSOLE, base_url=base_url
            )
        except ValidationError as error:
            raise CommandError(error.messages[0]) from None
        until = date_format(localtime(enrolment.expires_at), "DATETIME_FORMAT")
        self.stdout.write(
            f"A set-up link for {account.email} works once, until {until}. The background "
            "worker (manage.py db_worker) emails it to that address."
        )
        if show:
            path = reverse("two_factor_link", args=[tokens.enrolment_token(enrolment)])
            self.stdout.write("Open it after signing in with that account's password:")
            self.stdout.write(f"{base_url}{path}")


def _default_base_url() -> str:
    if settings.DEVELOPMENT:
        return f"http://127.0.0.1:{os.environ.get('PORT', '8000')}"
    hosts = [h for h in settings.ALLOWED_HOSTS if h and h != "*" and not h.startswith(".")]
    if not hosts:
        raise CommandError("Give the portal's address with --base-url")
    return f"https://{hosts[0]}"
