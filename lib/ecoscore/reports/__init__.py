"""Reports: per-unit report sections, charts, narrative, tables, the index page, exports and the
report notebooks. Everything here reads a scored result; nothing here scores.
"""
