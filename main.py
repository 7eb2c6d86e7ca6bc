import sys

from lrsim.cli import main

sys.exit(main())
