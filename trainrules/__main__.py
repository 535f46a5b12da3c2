"""``python -m trainrules``: the command line."""

from trainrules.cli import main

main()
