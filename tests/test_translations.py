"""Every catalogue in locale/ is complete and safe: each msgid translated, nothing fuzzy, the same placeholders, the
right Plural-Forms, msgfmt accepts it, and `makemessages` (config's, with the project's options) changes nothing."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings

from config.languages import catalogue_locales

LOCALE_DIR = Path(settings.BASE_DIR) / "locale"
# gettext's plural rules, from the Unicode CLDR: one form in Japanese, Korean and Chinese; French and Brazilian
# Portuguese treat 0 as singular; the others count 1 as singular only.
PLURAL_FORMS = {
    "de_DE": "nplurals=2; plural=(n != 1);",
    "en_GB": "nplurals=2; plural=(n != 1);",
    "es_419": "nplurals=2; plural=(n != 1);",
    "es_ES": "nplurals=2; plural=(n != 1);",
    "fr_CA": "nplurals=2; plural=(n > 1);",
    "fr_FR": "nplurals=2; plural=(n > 1);",
    "it_IT": "nplurals=2; plural=(n != 1);",
    "ja_JP": "nplurals=1; plural=0;",
    "ko_KR": "nplurals=1; plural=0;",
    "pt_BR": "nplurals=2; plural=(n > 1);",
    "zh_CN": "nplurals=1; plural=0;",
    "zh_TW": "nplurals=1; plural=0;",
}
# printf-style (%(name)s, %s, %d…, not %%) and str.format-style ({name}, {0}) placeholders.
PERCENT = re.compile(r"%(?:\((?P<name>[^)]+)\))?[#0 +-]*(?:\d+|\*)?(?:\.\d+)?(?P<type>[diouxXeEfFgGcrsa%])")
BRACE = re.compile(r"(?<!\{)\{(?P<field>[A-Za-z_][A-Za-z0-9_]*|\d*)(?:![rsa])?(?::[^{}]*)?\}(?!\})")
SHOWN = 40  # problems listed per failure; the rest are counted


def placeholders(text: str) -> tuple[frozenset, tuple, frozenset]:
    """Named printf placeholders with their type, positional ones in order, and str.format fields."""
    named, positional = set(), []
    for match in PERCENT.finditer(text):
        if match["type"] == "%":
            continue
        if match["name"]:
            named.add(f"%({match['name']}){match['type']}")
        else:
            positional.append(f"%{match['type']}")
    return frozenset(named), tuple(positional), frozenset(m["field"] for m in BRACE.finditer(text))


def catalogue(locale: str) -> polib.POFile:
    return polib.pofile(str(LOCALE_DIR / locale / "LC_MESSAGES" / "django.po"))


def report(problems: list[str]) -> str:
    more = f"\n… and {len(problems) - SHOWN} more" if len(problems) > SHOWN else ""
    return f"{len(problems)} problems:\n" + "\n".join(problems[:SHOWN]) + more


def entry_problems(entry: polib.POEntry, nplurals: int) -> list[str]:
    """What is wrong with one entry: untranslated, fuzzy, a placeholder missing, changed or added."""
    name = repr(entry.msgid[:70])
    problems = []
    if entry.fuzzy:
        problems.append(f"fuzzy: {name}")
    if not entry.msgid_plural:
        if not entry.msgstr:
            return [*problems, f"untranslated: {name}"]
        if placeholders(entry.msgstr) != placeholders(entry.msgid):
            problems.append(f"placeholders differ: {name} → {entry.msgstr[:70]!r}")
        return problems
    forms = [entry.msgstr_plural.get(index, "") for index in range(nplurals)]
    if len(entry.msgstr_plural) != nplurals:
        problems.append(f"{len(entry.msgstr_plural)} plural forms for nplurals={nplurals}: {name}")
    if not all(forms):
        return [*problems, f"untranslated (a plural form is empty): {name}"]
    singular, plural = placeholders(entry.msgid), placeholders(entry.msgid_plural)
    allowed = singular[0] | plural[0], singular[2] | plural[2]
    for index, form in enumerate(forms):
        named, positional, fields = placeholders(form)
        # A singular form may leave out the count ("One try left"); no form may add a name the code does not pass.
        if not (named <= allowed[0] and fields <= allowed[1]) or positional not in (singular[1], plural[1]):
            problems.append(f"placeholders differ in form {index}: {name} → {form[:70]!r}")
    if placeholders(forms[-1]) != plural:
        problems.append(f"the last plural form lacks the plural's placeholders: {name}")
    return problems


def test_there_is_one_catalogue_for_each_language_but_the_source_one():
    present = sorted(path.parent.parent.name for path in LOCALE_DIR.glob("*/LC_MESSAGES/django.po"))

    assert present == sorted(catalogue_locales()) == sorted(PLURAL_FORMS)


@pytest.mark.parametrize("locale", sorted(PLURAL_FORMS))
def test_the_catalogue_has_the_language_s_plural_forms(locale):
    header = " ".join(catalogue(locale).metadata.get("Plural-Forms", "").split())

    assert header == PLURAL_FORMS[locale]


@pytest.mark.parametrize("locale", sorted(PLURAL_FORMS))
def test_every_msgid_is_translated_with_the_same_placeholders_and_nothing_is_fuzzy(locale):
    nplurals = int(re.search(r"nplurals=(\d+)", PLURAL_FORMS[locale])[1])
    problems = [problem for entry in catalogue(locale) for problem in entry_problems(entry, nplurals)]

    assert not problems, f"{locale}: {report(problems)}"


@pytest.mark.parametrize("locale", sorted(PLURAL_FORMS))
def test_msgfmt_accepts_the_catalogue(locale, tmp_path):
    # What compilemessages runs: a format mismatch msgfmt knows about would stop the build.
    po_path = LOCALE_DIR / locale / "LC_MESSAGES" / "django.po"
    result = subprocess.run(
        ["msgfmt", "--check-format", "-o", str(tmp_path / "django.mo"), str(po_path)],
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stderr


def test_no_compiled_catalogue_is_committed():
    tracked = subprocess.run(
        ["git", "ls-files", "*.mo"], cwd=settings.BASE_DIR, capture_output=True, text=True, check=True
    ).stdout.split()

    assert tracked == []


def entries(po: polib.POFile) -> dict:
    """What makemessages decides in a catalogue, without the header's dates or the line wrapping."""
    return {
        (entry.msgctxt, entry.msgid): (
            entry.msgid_plural,
            entry.msgstr,
            tuple(sorted(entry.msgstr_plural.items())),
            tuple(sorted(entry.flags)),
            tuple(sorted({path for path, _line in entry.occurrences})),
        )
        for entry in po
        if not entry.obsolete
    }


def test_makemessages_leaves_the_catalogues_as_they_are(tmp_path):
    copy = tmp_path / "source"
    shutil.copytree(
        settings.BASE_DIR,
        copy,
        ignore=shutil.ignore_patterns(".git", ".venv", "var", "__pycache__", "*.mo", "node_modules", ".*_cache"),
    )
    before = {locale: catalogue(locale) for locale in PLURAL_FORMS}
    # The copy's manage.py comes first on sys.path, so its settings (and LOCALE_PATHS) are the copy's own.
    result = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "--verbosity", "0"],
        cwd=copy,
        env={"PATH": "/usr/bin:/bin", "DEBUG": "true", "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr

    problems = []
    for locale, po in before.items():
        refreshed = polib.pofile(str(copy / "locale" / locale / "LC_MESSAGES" / "django.po"))
        now, then = entries(refreshed), entries(po)
        problems += [f"{locale}: new msgid {key[1][:70]!r}" for key in now.keys() - then.keys()]
        problems += [f"{locale}: msgid gone from the code {key[1][:70]!r}" for key in then.keys() - now.keys()]
        problems += [f"{locale}: changed {key[1][:70]!r}" for key in now.keys() & then.keys() if now[key] != then[key]]
        if header(refreshed) != header(po):
            problems.append(f"{locale}: header rewritten")
    assert not problems, "run `make messages` and commit locale/: " + report(problems)


def header(po: polib.POFile) -> dict:
    return {key: value for key, value in po.metadata.items() if key != "POT-Creation-Date"}
