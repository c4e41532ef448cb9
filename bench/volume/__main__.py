"""`python -m bench.volume`: see bench/volume/__init__.py."""

import sys

from bench.volume import main

sys.exit(main())
