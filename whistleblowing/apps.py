from django.apps import AppConfig


class WhistleblowingConfig(AppConfig):
    name = "whistleblowing"
    verbose_name = "Whistleblowing"
    # Not watched by the page cache: nothing about a concern is on a public page.
