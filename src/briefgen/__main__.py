"""Run the command line as `python -m briefgen`."""
from briefgen.cli import main

main(prog_name="briefgen")
