"""Intake: the ingest batch. Files are listed, read into normalised documents (``compliance.ingest``),
checked by the data-quality suites (``compliance.quality``) and stored (``compliance.store``)."""
