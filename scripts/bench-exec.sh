#!/usr/bin/env bash
# Benchmark of issue 3: `drillctl exec -- true` on a lab of 200 hosts, beside `ansible -m raw` and the
# parallel-ssh Python library doing the same, on this machine. Prints a table: wall time (median of RUNS),
# client CPU (user+sys of the client and the children it waited for), peak RSS, client CPU per host, and the CPU
# the lab's sshd spent (its listener's own and reaped children's time), which bounds the wall time on 2 cores.
#
#   scripts/bench-exec.sh                 # 200 hosts, 3 runs each, port 2399
#   HOSTS=100 RUNS=5 PORT=2400 scripts/bench-exec.sh
#   TOOLS="drillctl" scripts/bench-exec.sh   # only drillctl (no Python needed)
#
# Ansible and parallel-ssh come from PyPI into a throwaway virtualenv (VENV, default /tmp/drill-bench-venv);
# they are never dependencies of drillctl. Keep the machine quiet while this runs.
set -euo pipefail
cd "$(dirname "$0")/.."

# One measured run of one tool (called as `bench-exec.sh --run TOOL` under /usr/bin/time, with the
# variables below exported).
run_tool() {
    case "$1" in
        drillctl) "$DRILLCTL" exec -i "$INVENTORY" --forks "$FORKS" -- true >/dev/null ;;
        parallel-ssh) "$VENV/bin/python" "$WORK/pssh_true.py" ;;
        ansible)
            mkdir -p "$WORK/cp"
            (cd "$WORK" && ANSIBLE_HOME="$WORK/ansible-home" ANSIBLE_SSH_CONTROL_PATH_DIR="$WORK/cp" \
                ANSIBLE_HOST_KEY_CHECKING=True "$VENV/bin/ansible" all -i "$INVENTORY" -m raw -a true \
                -f "$FORKS" >/dev/null)
            for socket in "$WORK"/cp/*; do
                [ -S "$socket" ] && ssh -o ControlPath="$socket" -O exit dummy >/dev/null 2>&1 || true
            done
            ;;
    esac
}

if [ "${1:-}" = "--run" ]; then
    run_tool "$2"
    exit
fi

HOSTS=${HOSTS:-200}
RUNS=${RUNS:-3}
PORT=${PORT:-2399}
FORKS=${FORKS:-$HOSTS}
VENV=${VENV:-/tmp/drill-bench-venv}
TOOLS=${TOOLS:-"drillctl parallel-ssh ansible"}
TICKS=$(getconf CLK_TCK)

[ -x /usr/bin/time ] || { echo "error: /usr/bin/time is missing: run \`apt-get install time\`" >&2; exit 1; }

echo "== building drillctl (release)" >&2
swift build -c release --product drillctl >&2
DRILLCTL=$PWD/.build/release/drillctl

if [[ " $TOOLS " == *" ansible "* || " $TOOLS " == *" parallel-ssh "* ]]; then
    if [ ! -x "$VENV/bin/ansible" ] || ! "$VENV/bin/python" -c 'import pssh' 2>/dev/null; then
        echo "== installing ansible-core and parallel-ssh into $VENV" >&2
        python3 -m venv "$VENV"
        "$VENV/bin/pip" install -q ansible-core parallel-ssh >&2
    fi
fi

WORK=$(mktemp -d /tmp/drill-bench.XXXXXX)
LAB=$WORK/lab
cleanup() {
    # Ansible's ControlPersist masters outlive its run: stop them (they are ssh clients this script started).
    for socket in "$WORK"/cp/*; do
        [ -S "$socket" ] && ssh -o ControlPath="$socket" -O exit dummy >/dev/null 2>&1 || true
    done
    "$DRILLCTL" lab down --dir "$LAB" >/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

echo "== starting a lab of $HOSTS hosts on port $PORT" >&2
"$DRILLCTL" lab up --hosts "$HOSTS" --dir "$LAB" --port "$PORT" >/dev/null
INVENTORY=$LAB/inventory.yaml
export DRILLCTL INVENTORY FORKS VENV WORK
SSHD_PID=$(cat "$LAB/sshd.pid")

# CPU seconds of the lab's sshd so far: the listener's own time and that of the sessions it reaped.
sshd_cpu() {
    awk -v t="$TICKS" '{ sub(/^.*\) /, ""); printf "%.3f", ($12 + $13 + $14 + $15) / t }' "/proc/$SSHD_PID/stat"
}

cat > "$WORK/pssh_true.py" <<PY
import sys
from pssh.clients import ParallelSSHClient
hosts = ["127.0.%d.%d" % (10 + i // 254, i % 254 + 1) for i in range($HOSTS)]
client = ParallelSSHClient(hosts, port=$PORT, user="$(id -un)", pkey="$LAB/id_ed25519",
                           pool_size=$FORKS, num_retries=1, timeout=30)
output = client.run_command("true", stop_on_errors=False)
client.join(output)
bad = [o.host for o in output if o.exception is not None or o.exit_code != 0]
if bad:
    print("failed on %d hosts: %s" % (len(bad), bad[:5]), file=sys.stderr)
    sys.exit(1)
PY

"$DRILLCTL" ping -i "$INVENTORY" --forks "$FORKS" >/dev/null # warm-up: page cache, sshd binary, keys

printf '%-13s %5s %9s %10s %10s %9s %11s %9s\n' tool hosts "wall s" "client s" "ms/host" "RSS MB" "sshd CPU s" "runs ok"
for tool in $TOOLS; do
    walls=() cpus=() rsss=() sshds=() ok=0
    for run in $(seq 1 "$RUNS"); do
        sleep 1
        before=$(sshd_cpu)
        if /usr/bin/time -f '%e %U %S %M' -o "$WORK/time" "$0" --run "$tool"; then
            ok=$((ok + 1))
        fi
        sleep 1
        after=$(sshd_cpu)
        read -r wall user sys rss < <(tail -1 "$WORK/time")
        walls+=("$wall")
        cpus+=("$(echo "$user + $sys" | bc)")
        rsss+=("$rss")
        sshds+=("$(echo "$after - $before" | bc)")
    done
    median() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
    wall=$(median "${walls[@]}")
    cpu=$(median "${cpus[@]}")
    rss=$(median "${rsss[@]}")
    sshd=$(median "${sshds[@]}")
    printf '%-13s %5d %9.2f %10.2f %10.2f %9.1f %11.2f %6d/%d\n' "$tool" "$HOSTS" "$wall" "$cpu" \
        "$(echo "$cpu * 1000 / $HOSTS" | bc -l)" "$(echo "$rss / 1024" | bc -l)" "$sshd" "$ok" "$RUNS"
done
echo "(medians of $RUNS runs; client = user+sys of the tool and the children it waited for; wall floor on" \
    "$(nproc) cores ~ (sshd CPU + client CPU) / $(nproc))"
