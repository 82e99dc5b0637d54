#!/usr/bin/env bash
# The README's test command: installs missing Debian packages, builds everything, runs every test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift build --build-tests
swift test --skip-build
