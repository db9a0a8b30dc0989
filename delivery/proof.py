"""Proof-of-delivery photos: whatever a phone sends becomes a plain JPEG that fits 1600 px, with no EXIF or GPS.

A photo is checked before the handoff is tried, and stored only when the handoff succeeds.
"""

import io
import warnings

from django.conf import settings
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

PROOF_LONGEST_SIDE = 1600
PROOF_MAX_PIXELS = 60_000_000  # a 200 MP phone sensor is rarer than a decompression bomb
PROOF_JPEG_QUALITY = 82


class ProofPhotoRefused(Exception):
    """Why a photo cannot be used, in words for the courier."""


def proof_photo_prepare(upload) -> ContentFile:
    """The upload as a re-encoded JPEG (orientation applied, resized, no metadata), or ProofPhotoRefused."""
    limit = settings.DELIVERY_PROOF_MAX_BYTES
    if upload.size > limit:
        raise ProofPhotoRefused(
            _("That photo is too large (over %(limit)s). Take it again at a lower size.")
            % {"limit": filesizeformat(limit)}
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            upload.seek(0)
            with Image.open(upload) as image:
                width, height = image.size
                if width * height > PROOF_MAX_PIXELS:
                    raise ProofPhotoRefused(_("That photo has too many pixels. Take it again at a lower size."))
                image.load()
                upright = ImageOps.exif_transpose(image)
    except ProofPhotoRefused:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning, OSError) as error:
        raise ProofPhotoRefused(_("That file is not a photo we can read. Take the photo again.")) from error
    upright.thumbnail((PROOF_LONGEST_SIDE, PROOF_LONGEST_SIDE))
    # A fresh RGB image carries none of the original's metadata (EXIF, GPS, XMP, ICC comments).
    clean = Image.new("RGB", upright.size, "white")
    clean.paste(upright.convert("RGBA"), mask=upright.convert("RGBA"))
    out = io.BytesIO()
    clean.save(out, format="JPEG", quality=PROOF_JPEG_QUALITY, optimize=True)
    return ContentFile(out.getvalue(), name="proof.jpg")
