"""Django's makemessages with this project's options, so every run writes the same catalogues.

`make messages` runs it; tests/test_translations.py runs it into a copy and expects no change.
"""

from django.core.management.commands import makemessages

from config.languages import catalogue_locales

# Folders that hold no strings of ours (dot-folders such as .venv are skipped by Django already).
IGNORED = ["var/*", "tests/*", "scripts/*", "build/*", "static/*", "*.egg-info/*", "node_modules/*"]


class Command(makemessages.Command):
    # A new msgid arrives untranslated: msgmerge's guesses from a similar msgid were wrong every time ("Sign in" took
    # the translation of "to sign in").
    msgmerge_options = [*makemessages.Command.msgmerge_options, "--no-fuzzy-matching"]

    def handle(self, *args, **options):
        if not options["locale"] and not options["all"] and not options["exclude"]:
            options["locale"] = catalogue_locales()
        # File names without line numbers: moving code does not touch every catalogue.
        options["add_location"] = options["add_location"] or "file"
        options["no_obsolete"] = True
        options["ignore_patterns"] = [*options["ignore_patterns"], *IGNORED]
        super().handle(*args, **options)
