#!/usr/bin/env bash
# Regenerates patterns.expected.json: for each line of patterns.txt, the hosts that
# `ansible -i patterns.yaml PATTERN --list-hosts` lists, in its order. Needs only a throwaway
# ansible-core (see ../regenerate.sh); made with ansible-core 2.19.14.
set -euo pipefail
cd "$(dirname "$0")"
ansible="${ANSIBLE:-ansible}"
python3 - "$ansible" <<'PY'
import json, subprocess, sys
table = []
for pattern in open("patterns.txt", encoding="utf-8").read().splitlines():
    run = subprocess.run([sys.argv[1], "-i", "patterns.yaml", pattern, "--list-hosts"],
                         capture_output=True, text=True)
    lines = run.stdout.splitlines()
    hosts = [line.strip() for line in lines[1:]] if run.returncode == 0 else []
    table.append({"pattern": pattern, "hosts": hosts})
json.dump(table, open("patterns.expected.json", "w"), indent=2, ensure_ascii=False)
PY
