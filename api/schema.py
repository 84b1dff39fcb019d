"""What the OpenAPI schema says of each query parameter, so a script's author needs no source.

drf-spectacular documents a filter from its form field; the filters whose field it cannot read
(a name-or-slug, a country, a country pair) come out bare. This hook runs after the schema is
built: each query parameter gets its filter's label as the description when it has none, and an
example. `tests/api/test_schema.py` fails when a parameter lacks either. The old names of
renamed parameters (`min_gwh`) are marked `deprecated` and name their successor.
"""

from partnerships.filters import (
    CompanyFilter,
    ContextEventFilter,
    DealFilter,
    SourceFilter,
    StakeFilter,
    VehicleModelFilter,
    deprecated_parameters,
)

EXAMPLES = {
    "announced_after": "2024-01-01",
    "announced_before": "2025-12-31",
    "battery_supplier": "CATL",
    "chain_role": ["battery_maker"],
    "company": "LG Energy Solution",
    "country": "KR",
    "controlling": True,
    "country_pair": "KR-CN",
    "current": True,
    "format": "csv",
    "group": "geely-holding",
    "include_events": True,
    "kind": ["supply"],
    "language": "en",
    "limit": 50,
    "maker": "Kia",
    "max_gwh": 100,
    "max_volume_gwh": 100,
    "min_gwh": 1,
    "min_volume_gwh": 1,
    "occurred_after": "2025-01-01",
    "occurred_before": "2025-12-31",
    "offset": 0,
    "owned": "renault-korea",
    "owner": "Renault Group",
    "ordering": ["-volume_gwh"],
    "parent": "hyundai-motor-group",
    "powertrain": ["bev"],
    "product": ["battery_cells"],
    "q": "Hyundai CALB",
    "role": "supplier",
    "status": ["signed", "active"],
    "status_group": "agreed",
    "vehicle_model": "PV5",
    "year": 2025,
}
PATH_EXAMPLES = {"slug": "catl", "number": 1}
PATH_DESCRIPTIONS = {
    "slug": "The row's slug, as in its page's address, or its numeric id.",
    "number": "The release's number: 1 for the first.",
}

FILTERSETS = [
    DealFilter,
    CompanyFilter,
    StakeFilter,
    VehicleModelFilter,
    SourceFilter,
    ContextEventFilter,
]


def _labels():
    labels = {}
    for filterset in FILTERSETS:
        for name, filter_ in filterset.base_filters.items():
            if filter_.label:
                labels.setdefault(name, str(filter_.label))
    return labels


def describe_parameters(result, generator, request, public):
    """drf-spectacular postprocessing hook: a description and an example on every parameter."""
    labels = {**_labels(), **PATH_DESCRIPTIONS}
    renamed = {name: new for f in FILTERSETS for name, new in deprecated_parameters(f).items()}
    for path in result.get("paths", {}).values():
        for operation in path.values():
            if not isinstance(operation, dict):
                continue
            for parameter in operation.get("parameters", []):
                name = parameter["name"]
                if parameter["in"] == "query" and name in renamed:
                    parameter["deprecated"] = True
                if not parameter.get("description") and name in labels:
                    parameter["description"] = labels[name]
                examples = PATH_EXAMPLES if parameter["in"] == "path" else EXAMPLES
                if "example" not in parameter and "examples" not in parameter and name in examples:
                    example = examples[name]
                    if parameter.get("schema", {}).get("type") != "array" and isinstance(
                        example, list
                    ):
                        example = ",".join(example)
                    parameter["example"] = example
    return result
