"""Where the project's files are: the one place that knows the repository's layout."""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
#: The repository (``lib/ecoscore`` is two levels below it).
ROOT = PACKAGE.parents[1]
#: The document specs (YAML, one per assessment document).
SPEC_DIR = PACKAGE / "spec" / "documents"
#: The report notebooks, one per document.
NOTEBOOK_DIR = ROOT / "notebooks"
#: The bundled sample facts (``data/<doc>/示例数据-<year>.xlsx``) and the seed texts.
DATA_DIR = Path(os.environ.get("ECOSCORE_DATA", ROOT / "data"))
SEED_DIR = ROOT / "data" / "seeds"
#: Jinja and nbconvert templates for reports and index pages.
TEMPLATES = PACKAGE / "reports" / "templates"
#: The CJK font subset embedded in charts.
FONT_PATH = PACKAGE / "reports" / "fonts" / "NotoSansCJKsc-Regular-subset.otf"
