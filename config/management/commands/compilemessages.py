"""Django's compilemessages, then Django's own Chinese catalogues under the zh_CN and zh_TW names we use.

Django's admin, forms and auth strings are translated for zh_Hans and zh_Hant; gettext looks for zh_CN, then zh,
so without this copy a Chinese admin would be English.
"""

import subprocess
import tempfile
from pathlib import Path

from django.apps import apps
from django.conf import locale as django_locale
from django.core.management.commands import compilemessages

from config.languages import DJANGO_CHINESE, DJANGO_CHINESE_LOCALE_DIR


def django_catalogues(django_locale_name: str) -> list[Path]:
    """Django's (and installed apps') catalogues for one locale, in gettext's order: Django's core last."""
    folders = [Path(config.path) / "locale" for config in apps.get_app_configs()]
    folders.append(Path(django_locale.__file__).parent)
    found = [folder / django_locale_name / "LC_MESSAGES" / "django.po" for folder in folders]
    return [path for path in found if path.exists() and DJANGO_CHINESE_LOCALE_DIR not in path.parents]


def django_chinese_catalogues_build() -> None:
    """Merge Django's zh_Hans/zh_Hant catalogues into one .mo each, named zh_CN and zh_TW; skip when up to date."""
    for ours, django_name in DJANGO_CHINESE.items():
        sources = django_catalogues(django_name)
        target = DJANGO_CHINESE_LOCALE_DIR / ours / "LC_MESSAGES" / "django.mo"
        if target.exists() and all(source.stat().st_mtime <= target.stat().st_mtime for source in sources):
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory() as scratch:
            merged = Path(scratch) / "django.po"
            # The first catalogue wins a msgid both have: an app's own wording over Django core's.
            subprocess.run(["msgcat", "--use-first", "-o", merged, *sources], check=True)  # noqa: S603, S607
            subprocess.run(["msgfmt", "-o", target, merged], check=True)  # noqa: S603, S607


class Command(compilemessages.Command):
    def handle(self, **options):
        super().handle(**options)
        django_chinese_catalogues_build()
