"""`python -m cgtextract` runs the CLI."""

from cgtextract.cli import main

main()
