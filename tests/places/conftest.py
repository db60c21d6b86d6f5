"""Fixtures of the register tests."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

HEADER = (
    "Locatie;Gebouw;Verdieping;Ruimtecode;Naam;Ruimtesoort;Vloeroppervlak (m²);Schoonmaakfrequentie"
)


def csv_upload(lines: list[str], *, header: str = HEADER, bom: bool = True, name="rooms.csv"):
    text = "\n".join([header, *lines]) + "\n"
    data = ("\ufeff" if bom else "") + text
    return SimpleUploadedFile(name, data.encode("utf-8"), content_type="text/csv")


def xlsx_upload(rows: list[list], name="rooms.xlsx"):
    from openpyxl import Workbook

    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


@pytest.fixture
def english(world):
    """Pages render in English for assertions on messages (Dutch is the default)."""
    for user in (world.manager, world.member, world.supplier_lead):
        user.language = "en"
        user.save(update_fields=["language"])
