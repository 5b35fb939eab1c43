"""Read the JSON files shipped inside the package (``compliance/data/``) with ``importlib.resources``.

The files travel in the wheel, so an installed package finds them wherever it lives; nothing here
reads from the source checkout.
"""

from __future__ import annotations

import json
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Any

DATA_PACKAGE = "compliance.data"


def package_data_file(name: str) -> Traversable:
    """The shipped data file ``name`` (e.g. ``labels.json``), wherever the package is installed."""
    return files(DATA_PACKAGE).joinpath(name)


def load_package_json(name: str) -> Any:
    """The parsed contents of the shipped JSON file ``name``."""
    return json.loads(package_data_file(name).read_text(encoding="utf-8"))
