"""Command implementations for the ``rebound`` CLI (one module per verb group).

Heavy libraries (numpy, pandas, scipy, matplotlib) are imported inside the functions so
that ``rebound --help`` stays fast.
"""
