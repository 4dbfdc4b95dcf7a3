"""Synthetic data sets: the default Shapingba district and whole cities for scale tests.

Not the engine: a tool that writes a data directory in the format the engine
reads (``scheduler.io.schema``), seeded and byte-identical for a seed.
"""
