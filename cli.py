"""Run the rebound command line from a checkout without installing: ``python cli.py run ...``.

The click group lives in the package (``model/cli/main.py``, imported as ``rebound.cli.main``)
so that nothing named ``cli`` is installed into site-packages; the console script ``rebound``
and ``python -m rebound`` call the same ``main``.
"""

import sys
from pathlib import Path

if __name__ == "__main__":
    try:
        from rebound.cli.main import main
    except ImportError:  # not installed: map the package folder to its import name
        import importlib.util

        here = Path(__file__).resolve().parent / "model" / "__init__.py"
        spec = importlib.util.spec_from_file_location("rebound", here, submodule_search_locations=[str(here.parent)])
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules["rebound"] = module
        spec.loader.exec_module(module)
        from rebound.cli.main import main
    main(prog_name="rebound")
