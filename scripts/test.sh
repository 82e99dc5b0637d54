#!/usr/bin/env bash
# The test command from the README: builds everything and runs every test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --build-tests
swift test --skip-build
