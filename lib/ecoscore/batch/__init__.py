"""Batch: rendering one report per unit through papermill, in worker kernels."""
