import importlib
import importlib.util

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from organisation import demo
from organisation.models import User


class Command(BaseCommand):
    help = (
        "Load Coventry City Council as in April 2017, one demo account per role and the other "
        "apps' demo accounts (demo mode)."
    )

    def handle(self, *args, **options):
        try:
            with transaction.atomic():
                accounts = demo.load()
                # Lines an app's demo asks to print once (its `load()` answers `printed`),
                # such as a receipt code to try: printed here and kept nowhere.
                printed = []
                # Then every other app with a `demo` module, in INSTALLED_APPS order; the
                # demo logins it makes are listed in its DEMO_ACCOUNTS, (label, e-mail).
                for app_config in apps.get_app_configs():
                    module = f"{app_config.name}.demo"
                    if app_config.name != "organisation" and importlib.util.find_spec(module):
                        app_demo = importlib.import_module(module)
                        loaded = app_demo.load()
                        accounts += getattr(app_demo, "DEMO_ACCOUNTS", ())
                        printed += getattr(loaded, "printed", ())
        except RuntimeError as error:
            raise CommandError(str(error)) from None
        # Marked as the sign-in decides, once every app has made its links to the accounts.
        users = User.objects.in_bulk([email for _, email in accounts], field_name="email")
        width = max(len(email) for _, email in accounts)
        self.stdout.write("")
        self.stdout.write(
            self.style.SUCCESS(f"Demo accounts (password for all: {demo.DEMO_PASSWORD})")
        )
        for label, email in accounts:
            note = "  + two-factor code" if users[email].needs_two_factor else ""
            self.stdout.write(f"  {email.ljust(width)}  {label}{note}")
        self.stdout.write(
            "Two-factor code for the marked accounts: `make demo-code` "
            f"(now {demo.current_code()}), or add key {demo.DEMO_TOTP_KEY} (hex) "
            "to an authenticator app."
        )
        for line in printed:
            self.stdout.write(line)
        self.stdout.write("")
