import sys

from migrations_checks.cli import main

sys.exit(main())
