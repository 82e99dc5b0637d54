#!/usr/bin/env bash
# Regenerates the expected JSON of every parity fixture with the real ansible-inventory.
# drillctl never needs Ansible; this is only how the fixtures were made:
#   python3 -m venv /tmp/ansible-venv && /tmp/ansible-venv/bin/pip install ansible-core
#   ANSIBLE_INVENTORY=/tmp/ansible-venv/bin/ansible-inventory ./regenerate.sh
# Made with ansible-core 2.19.14 (Python 3.11, PyYAML 6.0.4).
set -euo pipefail
cd "$(dirname "$0")"
ansible_inventory="${ANSIBLE_INVENTORY:-ansible-inventory}"
for source in *.yaml *.ini folder/; do
    name="${source%/}"
    name="${name%.*}"
    case "$name" in *.expected) continue ;; esac
    "$ansible_inventory" -i "$source" --list > "$name.expected.json"
    echo "$source -> $name.expected.json"
done
