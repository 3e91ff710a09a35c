"""Validates interface documents: validate.py VENDOR_DIR (KIND FILE)...

KIND is `openapi` (checked by openapi-spec-validator) or `openrpc` (checked
by jsonschema against the OpenRPC meta-schema in VENDOR_DIR, whose JSON
Schema reference resolves to the vendored copy). Prints `valid FILE` or
`invalid FILE: why` per file; exits 1 if any is invalid.
"""

import json
import pathlib
import sys

import jsonschema
import referencing
from openapi_spec_validator import validate as validate_openapi


def openrpc_validator(vendor):
    meta = json.loads((vendor / "openrpc-meta-schema.json").read_text())
    json_schema = json.loads((vendor / "json-schema-tools-meta-schema.json").read_text())
    draft7 = referencing.jsonschema.DRAFT7
    registry = referencing.Registry().with_resources(
        [
            ("https://meta.json-schema.tools", draft7.create_resource(json_schema)),
            ("https://meta.json-schema.tools/", draft7.create_resource(json_schema)),
        ]
    )
    return jsonschema.Draft7Validator(meta, registry=registry)


def main():
    vendor = pathlib.Path(sys.argv[1])
    pairs = sys.argv[2:]
    openrpc = openrpc_validator(vendor)
    failed = False
    for kind, path in zip(pairs[::2], pairs[1::2]):
        document = json.loads(pathlib.Path(path).read_text())
        try:
            if kind == "openapi":
                validate_openapi(document)
            elif kind == "openrpc":
                errors = sorted(openrpc.iter_errors(document), key=lambda e: list(e.path))
                if errors:
                    raise ValueError("; ".join(
                        f"{'/'.join(map(str, e.path))}: {e.message}" for e in errors[:5]))
            else:
                raise ValueError(f"unknown kind {kind}")
            print(f"valid {path}")
        except Exception as error:  # every failure is reported, not raised
            failed = True
            print(f"invalid {path}: {error}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
