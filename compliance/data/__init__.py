"""Data the package reads at run time, shipped inside the wheel and read with
:func:`compliance.base.package_data.load_package_json`:

- ``contract.schema.json``: the JSON Schema contract terms files are validated against;
- ``normalized-document.schema.json``: the shape of a normalised document (``compliance inspect --json``);
- ``labels.json``: the label vocabulary (codes, aliases, type-1 flag; handbook §3.1);
- ``ecolabel-categorisation-2025.json``: Miljømærkekategoriseringen 2025, areas and requirements (§3.1);
- ``unspsc-segments.json``: UNSPSC segment names for the portfolio figures (§6).
"""
