"""Make the CJK font subset that ships with ecoscore (a dev-time tool; not imported).

Charts must show Chinese on a machine with nothing but the project's own install, so
ecoscore ships an openly licensed CJK font: Noto Sans CJK SC Regular (Adobe/Google,
SIL Open Font License 1.1; see ``OFL.txt`` beside this file). The full font is ~16 MB;
this script keeps only the characters a report can need:

* GB2312 (the 7,445 characters of the national standard, punctuation included);
* every character of the seed documents (``data/seeds/*.txt``), the specs and the code;
* ASCII, Latin-1, general and CJK punctuation, full-width forms, arrows, maths
  operators, circled numbers, units (℃ µ ² ³ …).

and renames the family to ``Noto Sans CJK SC Subset`` so that a full Noto install on the
same machine can never be confused with it (the OFL asks modified fonts not to pose as
the original; Noto has no Reserved Font Name, the name change is a courtesy).

Usage (fontTools is needed only here: ``pip install fonttools``)::

    python lib/ecoscore/fonts/make_subset.py NotoSansCJKsc-Regular.otf

The source used for the committed file was ``mplfonts/fonts/NotoSansCJKsc-Regular.otf``
(version 1.004) from the ``mplfonts-0.0.11`` wheel; only that file was taken from it.
Re-run this script after adding a seed document whose characters fall outside GB2312.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
OUTPUT = HERE / "NotoSansCJKsc-Regular-subset.otf"
FAMILY = "Noto Sans CJK SC Subset"
PS_NAME = "NotoSansCJKscSubset-Regular"

#: Unicode blocks kept whole (start, end inclusive).
BLOCKS = [
    (0x0020, 0x007E),  # ASCII
    (0x00A0, 0x00FF),  # Latin-1 supplement (° ± µ × ÷ ² ³ …)
    (0x2000, 0x206F),  # general punctuation (— … ‰ “ ” ‘ ’ •)
    (0x2070, 0x209F),  # superscripts and subscripts
    (0x2100, 0x214F),  # letterlike symbols (℃ № ℉)
    (0x2150, 0x218F),  # number forms (Ⅰ Ⅱ …)
    (0x2190, 0x21FF),  # arrows
    (0x2200, 0x22FF),  # mathematical operators (≥ ≤ − ≈ ≠)
    (0x2460, 0x24FF),  # enclosed alphanumerics (① ⑴ ⒈)
    (0x2500, 0x257F),  # box drawing
    (0x25A0, 0x25FF),  # geometric shapes (△ ■ ●)
    (0x2600, 0x26FF),  # miscellaneous symbols (★ ☆)
    (0x2700, 0x27BF),  # dingbats (✓ ✗)
    (0x3000, 0x303F),  # CJK symbols and punctuation
    (0x3200, 0x32FF),  # enclosed CJK letters (㈠)
    (0x3300, 0x33FF),  # CJK compatibility (㎡ ㎏)
    (0xFE30, 0xFE4F),  # CJK compatibility forms
    (0xFF00, 0xFFEF),  # half-width and full-width forms
]


def gb2312() -> set[str]:
    """Return every character encoded by GB2312 (rows 0xA1-0xF7, cells 0xA1-0xFE)."""
    out = set()
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                out.add(bytes([hi, lo]).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return out


def project_text() -> set[str]:
    """Return every character of the seeds, specs, sample data, code and notebooks."""
    patterns = ["data/**/*.txt", "data/**/*.csv", "lib/**/*.py", "lib/**/*.yaml", "notebooks/*.ipynb",
                "params/*.yaml", "tests/**/*.py", "tests/**/*.yaml"]
    chars: set[str] = set()
    for pat in patterns:
        for p in ROOT.glob(pat):
            try:
                chars |= set(p.read_text(encoding="utf-8"))
            except (UnicodeDecodeError, OSError):
                continue
    return chars


def wanted() -> set[int]:
    """Return the code points to keep."""
    chars = gb2312() | project_text()
    points = {ord(c) for c in chars if c.isprintable() or c == " "}
    for lo, hi in BLOCKS:
        points.update(range(lo, hi + 1))
    return points


def subset(source: Path, output: Path = OUTPUT) -> Path:
    """Write the subset of ``source`` to ``output`` and return its path."""
    from fontTools import subset as ft_subset
    from fontTools.ttLib import TTFont

    font = TTFont(str(source), recalcTimestamp=False)
    keep = wanted() & set(font.getBestCmap())
    opts = ft_subset.Options()
    opts.layout_features = ["kern", "palt", "locl", "liga"]
    opts.name_IDs = ["*"]
    opts.name_languages = ["*"]
    opts.hinting = False
    opts.desubroutinize = False
    opts.notdef_outline = True
    sub = ft_subset.Subsetter(opts)
    sub.populate(unicodes=sorted(keep))
    sub.subset(font)
    if "DSIG" in font:
        del font["DSIG"]
    names = font["name"]
    for rec in names.names:
        if rec.nameID in (1, 4, 16):
            rec.string = FAMILY
        elif rec.nameID == 3:
            rec.string = f"{PS_NAME};ecoscore subset"
        elif rec.nameID == 6:
            rec.string = PS_NAME
    font["CFF "].cff.fontNames = [PS_NAME]
    font.save(str(output))
    print(f"{output.name}: {len(keep)} characters, {output.stat().st_size / 1e6:.2f} MB", file=sys.stderr)
    return output


def main(argv: list[str] | None = None) -> int:
    """Command-line entry: subset the given Noto Sans CJK SC Regular OTF."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("source", type=Path, help="NotoSansCJKsc-Regular.otf (the full font)")
    ap.add_argument("-o", "--output", type=Path, default=OUTPUT)
    args = ap.parse_args(argv)
    subset(args.source, args.output)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
