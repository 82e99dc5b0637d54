#!/usr/bin/env bash
# The README's "run the main job" command: installs missing Debian packages, builds drillctl, and runs the
# demo drill (scenarios/quickstart.yaml) against a local practice range on 127.0.10.x with simulated teams.
# Extra arguments go to `drillctl demo` (for example --speed 120).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift build --product drillctl
.build/debug/drillctl demo "$@"
