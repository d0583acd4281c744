"""rebound: explain and replay a regional economy's lockdown fall and recovery.

The package is the model core. It does no printing and writes files only through the
explicit writer functions in :mod:`rebound.writers`; the command line (``cli.py`` and
``rebound_cli/``) formats and writes.
"""

__version__ = "0.1.0"
