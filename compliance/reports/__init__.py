"""Outputs for people, one module per product: ``annual`` (the annual report, HTML and PDF), ``workbook``
(its XLSX evidence), ``statement`` (the penalty statement), ``notices`` (supplier letters and their
e-mail), ``overview`` (``index.html``, ``findings.csv``), ``portfolio`` and ``data_quality`` pages.

Reports compute nothing: they lay out the assessment's typed results (``compliance.assessment``)
with the shared template environment and finding views of ``views``.
"""
