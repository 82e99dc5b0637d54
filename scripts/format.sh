#!/usr/bin/env bash
# Formats every Swift file with the repository's .swift-format (swift-nio's configuration), then lints.
# `scripts/format.sh --check` fails when formatting would change anything (used by CI).
set -euo pipefail
cd "$(dirname "$0")/.."
git ls-files -z '*.swift' | xargs -0 swift format format --parallel --in-place
if [ "${1:-}" = "--check" ]; then
    git diff --exit-code -- '*.swift' || { echo "error: run scripts/format.sh and commit the result" >&2; exit 1; }
fi
