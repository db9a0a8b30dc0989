"""Proof of delivery (issue 18): a photo on the handoff form, cleaned of every tag (GPS first), stored only
when the parcel is handed over, and shown only to the order's owner and to verified staff."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.test import Client
from PIL import ExifTags, Image

from delivery.models import Shipment
from tests.helpers import wrong_code

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def phone_photo(width: int = 4000, height: int = 3000, orientation: int = 6) -> bytes:
    """A JPEG as a phone writes it: sideways pixels with an orientation tag, the camera's make, and where it was."""
    image = Image.new("RGB", (width, height), "#3a6")
    image.paste((200, 30, 30), (0, 0, width // 4, height))  # a red band on the sensor's left edge
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.Base.Make] = "PhoneCo"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (51.0, 32.0, 12.5)
    gps[ExifTags.GPS.GPSLongitudeRef] = "W"
    gps[ExifTags.GPS.GPSLongitude] = (0.0, 6.0, 3.25)
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    data = out.getvalue()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the test photo has a place
    return data


def upload(data: bytes, name: str = "IMG_0001.jpg", content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def hand_over_with_photo(client: Client, shipment: Shipment, code: str, data: bytes, **kwargs):
    return client.post(f"/courier/{shipment.pk}/", {"code": code, "photo": upload(data, **kwargs)})


def test_the_handoff_form_offers_the_camera(courier_client, out_with_code):
    shipment, _code = out_with_code
    page = courier_client.get(f"/courier/{shipment.pk}/").content.decode()
    assert 'enctype="multipart/form-data"' in page
    assert 'type="file"' in page and 'accept="image/*"' in page and 'capture="environment"' in page


def test_the_stored_photo_is_upright_small_and_has_no_exif_or_gps(courier_client, out_with_code, media):
    shipment, code = out_with_code
    response = hand_over_with_photo(courier_client, shipment, code, phone_photo())
    assert response.status_code == 302
    shipment.refresh_from_db()
    assert shipment.status == Shipment.Status.DELIVERED and shipment.proof_photo
    assert shipment.proof_photo.path.startswith(str(media))
    assert shipment.number not in shipment.proof_photo.name  # a random name: nothing to guess from a label
    with shipment.proof_photo.open("rb") as stored:
        data = stored.read()
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG"
    assert image.size == (1200, 1600)  # turned upright (orientation 6) and fitted into 1600 px
    assert not image.getexif() and "exif" not in image.info
    assert b"Exif" not in data and b"PhoneCo" not in data and b"GPS" not in data
    # Upright: the sensor's left edge (red) is now the top.
    assert image.getpixel((600, 10))[0] > 150 and image.getpixel((600, 1590))[0] < 100


def test_a_wrong_code_stores_no_photo(courier_client, out_with_code, media):
    shipment, code = out_with_code
    response = hand_over_with_photo(courier_client, shipment, wrong_code(code), phone_photo())
    assert response.status_code == 400 and "4 tries left" in response.content.decode()
    assert not Shipment.objects.get(pk=shipment.pk).proof_photo
    assert not media.exists() or not any(path.is_file() for path in media.rglob("*"))


def test_a_file_that_is_not_a_photo_is_refused_and_costs_no_try(courier_client, out_with_code, media):
    shipment, code = out_with_code
    fake = b"<?php system($_GET['c']); ?>" + b"\0" * 100
    response = hand_over_with_photo(courier_client, shipment, code, fake, name="door.jpg")
    assert response.status_code == 400
    assert "That file is not a photo we can read." in response.content.decode()
    shipment.refresh_from_db()
    assert shipment.status == Shipment.Status.OUT_FOR_DELIVERY and shipment.code_wrong_tries == 0
    assert not shipment.proof_photo and not media.exists()


def test_a_photo_over_the_size_limit_is_refused(courier_client, out_with_code, settings):
    settings.DELIVERY_PROOF_MAX_BYTES = 50_000
    shipment, code = out_with_code
    response = hand_over_with_photo(courier_client, shipment, code, phone_photo() + b"\0" * 60_000)
    assert response.status_code == 400 and "That photo is too large" in response.content.decode()
    assert Shipment.objects.get(pk=shipment.pk).status == Shipment.Status.OUT_FOR_DELIVERY


def test_a_decompression_bomb_is_refused(courier_client, out_with_code):
    shipment, code = out_with_code
    bomb = io.BytesIO()
    Image.new("1", (12_000, 12_000)).save(bomb, format="PNG")  # tiny on disk, 144 megapixels in memory
    response = hand_over_with_photo(courier_client, shipment, code, bomb.getvalue(), name="x.png")
    assert response.status_code == 400
    assert Shipment.objects.get(pk=shipment.pk).status == Shipment.Status.OUT_FOR_DELIVERY


def test_a_parcel_without_a_code_can_have_a_photo(courier_client, shopper, courier, place_order, send_out):
    shipment, _ = send_out(place_order(shopper, "book"), courier)
    response = courier_client.post(f"/courier/{shipment.pk}/", {"photo": upload(phone_photo(800, 600, 1))})
    assert response.status_code == 302
    assert Shipment.objects.get(pk=shipment.pk).proof_photo


@pytest.fixture
def delivered_with_photo(courier_client, out_with_code):
    shipment, code = out_with_code
    assert hand_over_with_photo(courier_client, shipment, code, phone_photo()).status_code == 302
    return Shipment.objects.get(pk=shipment.pk)


def test_the_owner_sees_the_photo_privately(client, shopper, delivered_with_photo):
    client.force_login(shopper)
    response = client.get(f"/orders/{delivered_with_photo.order_id}/proof-photo/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert "private" in response["Cache-Control"] and "public" not in response["Cache-Control"]
    assert Image.open(io.BytesIO(b"".join(response.streaming_content))).format == "JPEG"


def test_nobody_else_sees_the_photo(client, outsider, courier_client, delivered_with_photo, make_user):
    url = f"/orders/{delivered_with_photo.order_id}/proof-photo/"
    assert Client().get(url).status_code == 302  # signed out: sign in first
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    assert courier_client.get(url).status_code == 404  # the courier who took it has handed it over
    unverified_staff = Client()
    unverified_staff.force_login(make_user("staff@example.com", is_staff=True, is_superuser=True))
    assert unverified_staff.get(url).status_code == 404  # staff only with their second factor, as in the admin


def test_verified_staff_see_the_photo_in_the_admin(verified_login, admin_user, delivered_with_photo):
    admin = verified_login(admin_user)
    url = f"/orders/{delivered_with_photo.order_id}/proof-photo/"
    change = admin.get(f"/admin/delivery/shipment/{delivered_with_photo.pk}/change/").content.decode()
    assert f'src="{url}"' in change
    assert admin.get(url).status_code == 200


def test_an_order_without_a_photo_has_none_to_show(client, shopper, out_with_code):
    shipment, _code = out_with_code
    client.force_login(shopper)
    assert client.get(f"/orders/{shipment.order_id}/proof-photo/").status_code == 404


def test_the_include_shows_the_photo_with_alt_text(delivered_with_photo):
    html = render_to_string(
        "delivery/_proof_photo.html", {"shipment": delivered_with_photo, "order": delivered_with_photo.order}
    )
    assert f'src="/orders/{delivered_with_photo.order_id}/proof-photo/"' in html
    assert f'alt="The courier&#x27;s photo of order {delivered_with_photo.order.number} at your door"' in html


def test_a_handoff_that_does_not_commit_leaves_no_photo_behind(courier, out_with_code, media, monkeypatch):
    from django.db import DatabaseError

    from delivery import handoff
    from delivery.proof import proof_photo_prepare

    shipment, code = out_with_code

    def database_gone(**_kwargs):
        raise DatabaseError("the connection dropped before the commit")

    monkeypatch.setattr(handoff, "shopper_tell", database_gone)  # after the photo is written, before the commit
    with pytest.raises(DatabaseError):
        handoff.shipment_mark_delivered(
            shipment_id=shipment.pk, courier=courier, code=code, photo=proof_photo_prepare(upload(phone_photo()))
        )

    shipment.refresh_from_db()
    assert shipment.status == Shipment.Status.OUT_FOR_DELIVERY and not shipment.proof_photo
    assert not media.exists() or not any(path.is_file() for path in media.rglob("*"))  # no orphan file
