"""Progress bars for the long stages: live on a terminal, a line every 30 s in a log file."""

from __future__ import annotations

import sys
from typing import Any

from tqdm.auto import tqdm


def progress(**kwargs: Any) -> Any:
    interactive = sys.stderr.isatty()
    return tqdm(mininterval=0.5 if interactive else 30.0, dynamic_ncols=interactive, **kwargs)
