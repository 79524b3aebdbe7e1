"""Facts in: workbook layout, reading files, validation, templates and sample data.

The public entry points are re-exported here: ``load_facts``, ``load_sample``, ``read_bundle``.
"""

from ecoscore.facts.load import (
    DATA_DIR,
    SAMPLE_WORD,
    FactsBundle,
    is_sample,
    load_facts,
    load_sample,
    read_bundle,
    sample_path,
)

__all__ = ["DATA_DIR", "SAMPLE_WORD", "FactsBundle", "is_sample", "load_facts", "load_sample", "read_bundle",
           "sample_path"]
