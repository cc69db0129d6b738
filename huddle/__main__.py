"""`python -m huddle` is `huddle`: each browser tab of `huddle serve` starts the app this
way, with the server's own interpreter, so it needs no `huddle` script on the PATH."""

import sys

from huddle.cli import main

sys.exit(main())
