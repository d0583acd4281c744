"""The package version (recorded in every summary.json and provenance.json)."""

__version__ = "0.1.0"
