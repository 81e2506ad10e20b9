#!/bin/bash
# usage: lab-down.sh [STATE_DIR]
# Stops every process lab-up.sh / compute.sh recorded in STATE_DIR/pids (default
# $UPGRADEC_OPENSTACK_LAB or /tmp/upgradec-openstack-lab), by pid only: the OpenStack
# services together (SIGTERM to each one's process group, SIGKILL after 60 s), then
# RabbitMQ, epmd (when the lab started it) and MariaDB. Leaves configs, data and logs for a
# post-mortem (lab-up.sh wipes them). Exit 0 when nothing recorded is left running.
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lab_set_dir "${1:-}"
T0=$(date +%s)
if [ ! -d "$L/pids" ]; then echo "no lab in $L"; exit 0; fi
openstack_pids=()
for f in "$L"/pids/*; do
  [ -e "$f" ] || continue
  n=$(basename "$f")
  case " $LAB_INFRA " in *" $n "*) ;; *) openstack_pids+=("$n") ;; esac
done
echo "stopping the lab in $L"
[ ${#openstack_pids[@]} -gt 0 ] && stop_pids 60 "${openstack_pids[@]}"
for n in $LAB_INFRA; do stop_pids 60 "$n"; done
left=""
for f in "$L"/pids/*; do
  [ -e "$f" ] || continue
  pid_alive "$(cat "$f")" && left="$left $(basename "$f")=$(cat "$f")"
done
if [ -n "$left" ]; then echo "still running:$left" >&2; exit 1; fi
echo "lab down in $(( $(date +%s) - T0 )) s"
