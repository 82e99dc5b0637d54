#!/bin/sh
# Copies docs/openapi.yaml into the literal the portal serves (Sources/DrillPortal/OpenAPIDocument.swift).
# Run it after editing docs/openapi.yaml; a test fails while the two differ.
set -eu
cd "$(dirname "$0")/.."
out=Sources/DrillPortal/OpenAPIDocument.swift
{
    cat <<'HEAD'
/// The OpenAPI document served at `/openapi.yaml`: a copy of `docs/openapi.yaml` (a test checks they are the
/// same, and that every route in `PortalRoutes.all` is in it). After editing docs/openapi.yaml, run
/// scripts/sync-openapi.sh to copy it into this literal.
enum OpenAPIDocument {
    static let text = #"""
HEAD
    sed -e 's/^\(.\)/        \1/' docs/openapi.yaml
    printf '\n        """#\n}\n'
} >"$out.tmp"
mv "$out.tmp" "$out"
