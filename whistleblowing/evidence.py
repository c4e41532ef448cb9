"""Files a reporter gives as evidence: what they are, decided from their bytes, and photos
cleaned of what could identify the person who took them.

- Accepted: PDF and Word documents (.docx), checked as every upload of the portal is
  (portal_kit.uploads: no scripts or automatic actions, a plain Word package), and JPEG and
  PNG photos, which must decode whole. Each at most settings.WHISTLEBLOWING_MAX_FILE_BYTES;
  a photo at most MAX_PIXELS (a small file can unpack to gigabytes).
- Photos lose their metadata here. The camera or phone, its serial number, the time and the
  place a photo was taken (EXIF and its GPS tags, XMP, IPTC, comments, PNG text chunks) can
  name or locate the person who took it, so a photo is written again from its pixels, turned
  upright first as its EXIF orientation says; only its colour profile is kept. A JPEG that
  needs no turning keeps its own quantisation tables (`quality="keep"`), so it loses nothing
  visible; one that is turned is written at quality 95. The reporter is told this, and that
  if the date or place a photo was taken matters, they should say so in words.
- Documents cannot be cleaned safely here (their properties, comments and tracked changes
  are part of the file, and changing a document is changing evidence): the names they
  record are given back (`Checked.authors`) so the page can warn the reporter, who can remove
  them and add the file again.
"""

import dataclasses
import io
import warnings

from django.conf import settings
from django.core.exceptions import ValidationError

from portal_kit import uploads
from whistleblowing import services

JPEG = "image/jpeg"
PNG = "image/png"
EXTENSIONS = {uploads.PDF: ".pdf", uploads.DOCX: ".docx", JPEG: ".jpg", PNG: ".png"}
KNOWN_SUFFIXES = uploads.KNOWN_SUFFIXES | {".jpg", ".jpeg", ".png", ".jfif", ".heic", ".gif"}
JPEG_MAGIC = b"\xff\xd8\xff"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
#: 50 million pixels: a phone's largest ordinary photos, ~150 MB once decoded.
MAX_PIXELS = 50_000_000
#: The EXIF tag saying which way up a photo was taken.
ORIENTATION = 0x0112

WRONG_TYPE = "The selected file must be a PDF, a Word document (.docx), a JPEG or a PNG"
PHOTO_TOO_BIG = "The selected photo is too large to open. Upload a smaller copy"
PHOTO_DAMAGED = "The selected photo is damaged and cannot be opened"
TOO_MANY_FILES = services.TOO_MANY_FILES % {"limit": services.MAX_FILES}


@dataclasses.dataclass(frozen=True)
class Checked:
    """An accepted file: its bytes (a photo's cleaned), what it is and what it records."""

    name: str
    content_type: str
    data: bytes
    #: The names a document's properties record (its author, its last editor, the authors
    #: of its comments and tracked changes): shown to the reporter, who may not want them.
    authors: tuple[str, ...] = ()
    #: A photo whose metadata was removed.
    cleaned: bool = False

    def evidence(self) -> services.Evidence:
        return services.Evidence(self.name, self.content_type, self.data)


def max_file_text() -> str:
    return uploads.size_text(settings.WHISTLEBLOWING_MAX_FILE_BYTES)


def check(uploaded_file) -> Checked:
    """Check one upload and learn what it is; a ValidationError with a message for the
    reporter if it is refused. Never trusts the file's name or declared type."""
    data = uploads.read_upload(uploaded_file, limit=settings.WHISTLEBLOWING_MAX_FILE_BYTES)
    original = getattr(uploaded_file, "name", "") or ""
    if data.startswith((JPEG_MAGIC, PNG_MAGIC)):
        content_type = JPEG if data.startswith(JPEG_MAGIC) else PNG
        return Checked(
            name=display_name(original, content_type),
            content_type=content_type,
            data=_cleaned_photo(data, content_type),
            cleaned=True,
        )
    try:
        inspected = uploads.inspect_document(data)
    except ValidationError as error:
        if error.code == "wrong_type" and error.message == uploads.WRONG_TYPE:
            raise ValidationError(WRONG_TYPE, code="wrong_type") from None
        raise
    return Checked(
        name=display_name(original, inspected.mime_type),
        content_type=inspected.mime_type,
        data=data,
        authors=inspected.authors,
    )


def display_name(name: str, content_type: str) -> str:
    return uploads.clean_display_name(name, EXTENSIONS[content_type], known_suffixes=KNOWN_SUFFIXES)


def _cleaned_photo(data: bytes, content_type: str) -> bytes:
    """The photo written again from its pixels, upright, with no metadata but its colour
    profile."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as probe:
                width, height = probe.size
                if width * height > MAX_PIXELS:
                    raise ValidationError(PHOTO_TOO_BIG, code="too_big")
                probe.verify()
            photo = Image.open(io.BytesIO(data))
            photo.load()
        except ValidationError:
            raise
        except (Image.DecompressionBombWarning, Image.DecompressionBombError) as error:
            raise ValidationError(PHOTO_TOO_BIG, code="too_big") from error
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as error:
            raise ValidationError(PHOTO_DAMAGED, code="damaged") from error
    profile = photo.info.get("icc_profile")
    options = {"icc_profile": profile} if profile else {}
    orientation = photo.getexif().get(ORIENTATION, 1)
    upright = photo if orientation in (None, 1) else ImageOps.exif_transpose(photo)
    upright.info = {}
    out = io.BytesIO()
    if content_type == PNG:
        upright.save(out, "PNG", **options)
    elif upright is photo and photo.mode in ("RGB", "L", "CMYK"):
        upright.save(out, "JPEG", quality="keep", subsampling="keep", **options)
    else:
        if upright.mode not in ("RGB", "L", "CMYK"):
            upright = upright.convert("RGB")
        upright.save(out, "JPEG", quality=95, **options)
    return out.getvalue()
