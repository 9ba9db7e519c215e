"""``python -m phylanx.bench``: see `phylanx.bench.cli`."""

import sys

from phylanx.bench.cli import main

if __name__ == "__main__":
    sys.exit(main())
