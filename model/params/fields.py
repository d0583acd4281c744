"""What the schema declares at a key path: the model a path points into, a field's unit and meaning.

Levers are a tagged union: ``levers.<name>`` is resolved by the lever's ``type`` in the raw
file values when they are given.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from rebound.params import schema
from rebound.params.paths import PathError, PathPart, parse_path

LEVER_CLASSES: dict[str, type[BaseModel]] = {
    "consumption_voucher": schema.ConsumptionVoucher,
    "tax_relief": schema.TaxRelief,
    "project_starts": schema.ProjectStarts,
    "special_bond": schema.SpecialBond,
    "housing_subsidy": schema.HousingSubsidy,
    "demand_promotion": schema.DemandPromotion,
}


def model_in(ann: Any) -> type[BaseModel] | None:
    """The pydantic model inside an annotation (``X``, ``list[X]``, ``X | None``), if any."""
    if isinstance(ann, type) and issubclass(ann, BaseModel):
        return ann
    for a in getattr(ann, "__args__", ()):
        found = model_in(a)
        if found is not None:
            return found
    return None


def _lever_model(raw: dict[str, Any], name: PathPart) -> type[BaseModel] | None:
    lever = raw.get("levers", {}).get(name)
    typ = lever.get("type") if isinstance(lever, dict) else None
    return LEVER_CLASSES.get(typ) if isinstance(typ, str) else None


def model_at(parts: list[PathPart], raw: dict[str, Any] | None) -> type[BaseModel] | None:
    """Schema model that a key path points into (levers resolved by their ``type`` in ``raw``)."""
    model: type[BaseModel] | None = schema.Params
    i = 0
    while i < len(parts):
        part = parts[i]
        if isinstance(part, int):
            i += 1
            continue
        if model is None:
            return None
        if model is schema.Params and part == "levers":
            if i + 1 >= len(parts) or raw is None:
                return None
            model = _lever_model(raw, parts[i + 1])
            i += 2
            continue
        f = model.model_fields.get(str(part))
        if f is None:
            return None
        model = model_in(f.annotation)
        i += 1
    return model


def _field_in(cls: type[BaseModel], parts: list[PathPart]) -> FieldInfo | None:
    """The field at ``parts`` below ``cls`` (list indices skipped), or None."""
    sub: type[BaseModel] | None = cls
    found: FieldInfo | None = None
    for part in parts:
        if sub is None:
            return None
        if isinstance(part, int):
            continue
        found = sub.model_fields.get(part)
        if found is None:
            return None
        sub = model_in(found.annotation)
    return found


def field_at(parts: list[PathPart], raw: dict[str, Any] | None) -> FieldInfo | None:
    """Schema FieldInfo of a key path (trailing list indices ignored), or None."""
    parts = list(parts)
    while parts and isinstance(parts[-1], int):
        parts.pop()
    if not parts:
        return None
    if raw is None and parts[0] == "levers" and len(parts) > 2:
        # no file to tell the lever type: the first lever class that has the field
        for cls in LEVER_CLASSES.values():
            found = _field_in(cls, parts[2:])
            if found is not None:
                return found
        return None
    parent = model_at(parts[:-1], raw)
    if parent is None:
        return None
    return parent.model_fields.get(str(parts[-1]))


def model_fields_at(loc: tuple[PathPart, ...], raw: dict[str, Any]) -> list[str]:
    """Field names of the schema model that holds the last element of ``loc``."""
    model = model_at(list(loc[:-1]), raw)
    return list(model.model_fields) if model is not None else []


def field_info(path: str, raw: dict[str, Any] | None = None) -> tuple[str, str]:
    """(unit, meaning) declared in the schema for a key path, or ("", "").

    Give ``raw`` (``Loaded.raw``) so a lever field is looked up in the lever's own type
    (``amount_100m`` means different things for a housing subsidy and a demand promotion).
    """
    try:
        parts = parse_path(path)
    except PathError:
        return "", ""
    f = field_at(parts, raw)
    if f is None:
        return "", ""
    extra = f.json_schema_extra if isinstance(f.json_schema_extra, dict) else {}
    unit, meaning = str(extra.get("unit", "")), str(extra.get("meaning", ""))
    if not meaning and f.description:
        meaning = str(f.description)
    return unit, meaning
