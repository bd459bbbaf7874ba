"""Run the command line as `python -m briefgen`."""
from briefgen.cli import main

if __name__ == "__main__":  # worker processes re-import this module; only a real run starts the CLI
    main(prog_name="briefgen")
