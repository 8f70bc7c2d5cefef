"""The step engine: derivations as lists of steps, built from expressions, and their renderers."""
