import pytest


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """A MEDIA_ROOT of each test's own: what lands on the disk can be counted, and the
    hostile files written here never reach the shared test media folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
