"""Parsers, one per source format, each producing the normalised records of ``compliance.base.documents``."""
