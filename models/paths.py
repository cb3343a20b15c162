"""Where the bundled artifact lives; importing this module loads nothing heavy."""

from __future__ import annotations

from pathlib import Path

BUNDLED = Path(__file__).parent / "artifacts" / "raqib-small"
