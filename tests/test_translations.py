"""Both catalogues are complete: every string in the code is in them, and every Dutch one is
translated. A new string without a translation fails here."""

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale" / "nl" / "LC_MESSAGES" / "django.po"
SKIP_DIRS = {".venv", "var", ".git", "node_modules", "tests", "locale", "static"}


def _entries(po):
    return {(e.msgctxt, e.msgid) for e in po if not e.obsolete}


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """Run makemessages on a copy of the source tree and return the fresh Dutch catalogue."""
    copy = tmp_path_factory.mktemp("src")
    for item in ROOT.iterdir():
        if item.name in SKIP_DIRS or item.name.startswith("."):
            continue
        if item.is_dir():
            shutil.copytree(item, copy / item.name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(item, copy / item.name)
    (copy / "locale").mkdir()
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "nl", "-v0"],
        cwd=copy,
        check=True,
        env={"PATH": "/usr/bin:/bin", "DEBUG": "1"},
        timeout=300,
    )
    return polib.pofile(str(copy / "locale" / "nl" / "LC_MESSAGES" / "django.po"))


def test_every_string_in_the_code_is_in_the_dutch_catalogue(extracted):
    missing = _entries(extracted) - _entries(polib.pofile(str(PO)))
    assert not missing, f"Run `make messages` and translate: {sorted(m[1] for m in missing)[:20]}"


def test_every_dutch_string_is_translated():
    po = polib.pofile(str(PO))
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert not untranslated, f"{len(untranslated)} untranslated, e.g. {untranslated[:15]}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy, e.g. {fuzzy[:15]}"


def test_compiled_catalogue_matches_the_po_file():
    po = polib.pofile(str(PO))
    mo = polib.mofile(str(PO.with_suffix(".mo")))
    compiled = {(e.msgctxt, e.msgid): e.msgstr for e in mo}
    stale = [
        e.msgid for e in po.translated_entries() if compiled.get((e.msgctxt, e.msgid)) != e.msgstr
    ]
    assert not stale, f"Run `make messages` to compile: {stale[:10]}"
