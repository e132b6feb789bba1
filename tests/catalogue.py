"""The Spanish catalogue (locale/es/LC_MESSAGES/django.po), read for tests:
enough of the .po format for what makemessages writes."""

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

CATALOGUE = Path(__file__).resolve().parent.parent / "locale" / "es" / "LC_MESSAGES" / "django.po"


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str = ""
    msgctxt: str = ""
    msgstr: list = field(default_factory=list)
    flags: set = field(default_factory=set)
    obsolete: bool = False


def read(path=CATALOGUE):
    """The entries of a .po file, the header (msgid "") left out."""
    entries, entry, current = [], Entry(), None

    def finish():
        nonlocal entry
        if entry.msgid or entry.msgstr:
            entries.append(entry)
        entry = Entry()

    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if not line.strip():
            finish()
            current = None
            continue
        if line.startswith("#~"):
            entry.obsolete = True
            continue
        if line.startswith("#,"):
            entry.flags.update(flag.strip() for flag in line[2:].split(","))
            continue
        if line.startswith("#"):
            continue
        match = re.match(r'(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?) (".*")$', line)
        if match:
            keyword, index, text = match.groups()
            text = ast.literal_eval(text)
            if keyword.startswith("msgstr"):
                entry.msgstr.append(text)
                current = ("msgstr", len(entry.msgstr) - 1)
            else:
                setattr(entry, keyword, text)
                current = (keyword, None)
            continue
        if line.startswith('"') and current:
            text = ast.literal_eval(line)
            keyword, index = current
            if keyword == "msgstr":
                entry.msgstr[index] += text
            else:
                setattr(entry, keyword, getattr(entry, keyword) + text)
    finish()
    return [entry for entry in entries if entry.msgid]
