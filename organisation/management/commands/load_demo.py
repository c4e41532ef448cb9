from django.core.management.base import BaseCommand, CommandError

from organisation import demo


class Command(BaseCommand):
    help = "Load Coventry City Council (April 2017) and one demo account per role. Demo mode only."

    def handle(self, *args, **options):
        try:
            accounts = demo.load()
        except RuntimeError as error:
            raise CommandError(str(error)) from None
        width = max(len(email) for _, email, _ in accounts)
        self.stdout.write("")
        self.stdout.write(
            self.style.SUCCESS(f"Demo accounts (password for all: {demo.DEMO_PASSWORD})")
        )
        for role, email, privileged in accounts:
            note = "  + two-factor code" if privileged else ""
            self.stdout.write(f"  {email.ljust(width)}  {role}{note}")
        self.stdout.write(
            "Two-factor code for the marked accounts: `make demo-code` "
            f"(now {demo.current_code()}), or add key {demo.DEMO_TOTP_KEY} (hex) "
            "to an authenticator app."
        )
        self.stdout.write("")
