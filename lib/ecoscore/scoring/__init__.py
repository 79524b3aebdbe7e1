"""Scoring: the engine (audit trail per unit × line), the rollup (subtotals, adjustments, grades,
ranks) and the scored result that every view reads.
"""
