"""``python -m rebound``: the same command line as the ``rebound`` console script."""

from rebound.cli.main import main

if __name__ == "__main__":
    main(prog_name="rebound")
