"""Parameter files: schema, reading, key paths, validation, scenario overrides, comment-keeping edits.

The public API, importable as ``from rebound.params import load, Loaded, ...``:

- :func:`load` a parameter or scenario file (:class:`Loaded`), :func:`revalidate` a loaded set
  with new values, :func:`with_values` (no validation; per-draw arrays for the engine);
- key paths: :func:`parse_path`, :func:`format_path`, :func:`get_path`, :func:`set_path`,
  :func:`leaf_paths`, :class:`PathError`;
- :func:`cross_field_problems` (rules, guards and the checks of later layers), :data:`Check`;
- :func:`field_info` (unit and meaning declared in the schema), :class:`SourceFile`.

Modules: ``schema`` (declared fields), ``paths`` (key paths), ``source`` (reading a file),
``tomlines`` (key -> line), ``fields`` (schema lookup by path), ``messages`` (pydantic errors as
plain problems), ``rules`` (cross-field rules), ``guards`` (numerical guard rails),
``validate``, ``overrides`` (a scenario's [set]/[shift_days]), ``values`` (with_values),
``load``, ``tomledit`` and ``edit`` (comment-keeping edits of a file's text).
"""

from rebound.params.fields import field_info
from rebound.params.guards import Check
from rebound.params.load import Loaded, load, revalidate, validate_source
from rebound.params.paths import (
    PathError,
    PathPart,
    format_path,
    get_path,
    leaf_paths,
    parse_path,
    set_path,
)
from rebound.params.schema import Params
from rebound.params.source import SourceFile, parse_toml, undocumented_numbers
from rebound.params.validate import cross_field_problems
from rebound.params.values import with_values

__all__ = [
    "Check",
    "Loaded",
    "Params",
    "PathError",
    "PathPart",
    "SourceFile",
    "cross_field_problems",
    "field_info",
    "format_path",
    "get_path",
    "leaf_paths",
    "load",
    "parse_path",
    "parse_toml",
    "revalidate",
    "set_path",
    "undocumented_numbers",
    "validate_source",
    "with_values",
]
