"""Fill Chinese translations into the web pages' catalog from a dict file: `python scripts/fill_zh.py FILE.py`.

FILE.py defines ZH = {msgid: msgstr} (a plural msgid as a (singular, plural) tuple, its msgstr a tuple). Entries
filled here lose their fuzzy flag; anything else in the catalog is left as it is. Then `make translations` compiles.
"""
import runpy
import sys

from babel.messages.pofile import read_po, write_po

PO = "mentorship/web/translations/zh/LC_MESSAGES/messages.po"


def main(path):
    table = runpy.run_path(path)["ZH"]
    with open(PO, "rb") as handle:
        catalog = read_po(handle)
    filled = 0
    for message in catalog:
        key = message.id
        if key in table:
            message.string = table[key]
            message.flags.discard("fuzzy")
            filled += 1
    with open(PO, "wb") as handle:
        write_po(handle, catalog, width=120, omit_header=False)
    print(f"filled {filled} of {len(table)}")


if __name__ == "__main__":
    main(sys.argv[1])
