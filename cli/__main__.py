"""``python -m cli``: the ``roster`` command line."""

from cli.app import main

main()
