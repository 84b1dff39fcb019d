"""Compile the .po translations to the .mo files Django reads, without GNU gettext.

`compilemessages` needs `msgfmt`, which a fresh machine may lack; Babel writes the same files in
pure Python. Fuzzy entries are left out, as `msgfmt` leaves them out.
"""

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


def locale_dirs():
    yield from (Path(path) for path in settings.LOCALE_PATHS)


def compile_po(po_path: Path) -> Path:
    """Write the .mo beside `po_path` and return its path."""
    language = po_path.parent.parent.name
    with po_path.open("rb") as handle:
        catalog = read_po(handle, locale=language, abort_invalid=True)
    mo_path = po_path.with_suffix(".mo")
    temporary = mo_path.with_suffix(".mo.tmp")
    with temporary.open("wb") as handle:
        write_mo(handle, catalog, use_fuzzy=False)
    # Replaced in one step, so a server reading translations never sees half a file.
    temporary.replace(mo_path)
    return mo_path


class Command(BaseCommand):
    help = "Compile every .po under LOCALE_PATHS to .mo with Babel (no msgfmt needed)."

    def handle(self, *args, **options):
        compiled = 0
        for directory in locale_dirs():
            for po_path in sorted(directory.glob("*/LC_MESSAGES/*.po")):
                try:
                    mo_path = compile_po(po_path)
                except Exception as error:
                    raise CommandError(f"{po_path}: {error}") from error
                compiled += 1
                if options["verbosity"] > 1:
                    self.stdout.write(f"{po_path} -> {mo_path}")
        if compiled == 0:
            raise CommandError("No .po files found under LOCALE_PATHS.")
        if options["verbosity"]:
            self.stdout.write(f"Compiled {compiled} catalogue(s).")
