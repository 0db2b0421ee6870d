#!/usr/bin/env python
"""Development entry point; installed deployments use the `rathaus` command instead."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "src"))

from rathaus.__main__ import main

if __name__ == "__main__":
    main()
