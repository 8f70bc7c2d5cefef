"""``python -m examprep.cli``."""

from examprep.cli import main

main()
