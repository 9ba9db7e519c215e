"""Test the installed phylanx, never the source folders at the repo root.

The source ``phylanx/`` lacks the compiled runtime (``runtime/`` installs as ``phylanx.runtime``),
so the repo root must not be on sys.path, where ``python -m pytest`` puts it.
"""

import os
import sys

_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != _ROOT]
