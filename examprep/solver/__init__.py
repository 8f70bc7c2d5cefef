"""The step engine: derivations as lists of steps, built from expressions, and their renderers."""

import examprep.solver.expr  # noqa: F401  (first: the node modules import it, it imports them at its end)
