#!/bin/bash
# Fake servers on the lab's computes (image fake-image, flavor m1.tiny, no network).
#
# usage: servers.sh [--lab DIR] VERB ...
#   boot N [--prefix P] [--hosts H1,H2,..] [--no-wait] [--timeout S]
#        boot N servers named P-<i> (P defaults to vm; i continues after the highest existing),
#        round-robin over HOSTS (default: every nova-compute that is enabled and up, by
#        name), each forced onto its host with --availability-zone nova:HOST; then wait
#        (default 180 s) until all are ACTIVE. Exit 1 if one goes to ERROR or the wait times out.
#   list                      the API's view: ID NAME STATUS TASK HOST (openstack server list --long)
#   where                     the database's view (fast): NAME UUID HOST VM_STATE TASK_STATE
#   on HOST                   UUID NAME of each server whose host is HOST (database)
#   count [HOST]              how many servers (on HOST)
#   migrations [SERVER-UUID]  nova.migrations, newest first: UUID TYPE STATUS SOURCE DEST
#                             (live migrations go accepted, preparing, running, completed | error | failed)
#   wait [--timeout S]        until no server has a task (migrating, spawning, ...) or is in ERROR
#   delete-all [--prefix P]   delete every server (named P-*), wait until gone
# State directory: --lab DIR, else $UPGRADEC_OPENSTACK_LAB, else /tmp/upgradec-openstack-lab.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lab_parse_args "$@"
set -- "${LAB_ARGS[@]+"${LAB_ARGS[@]}"}"
[ $# -ge 1 ] || usage
verb=$1; shift
lab_require
lab_env

# Live servers in the cell, plus those that never got a host (cell0: failed to schedule).
INSTANCES="(select display_name, uuid, host, vm_state, task_state from nova.instances where deleted=0
            union all select display_name, uuid, host, vm_state, task_state from nova_cell0.instances where deleted=0) i"

wait_settled() { # TIMEOUT [NAME-LIKE]: no task, nothing in ERROR
  local timeout=$1 like=${2:-%} deadline busy err
  deadline=$(( $(date +%s) + timeout ))
  while :; do
    err=$(sql "select group_concat(display_name) from $INSTANCES where vm_state='error' and display_name like '$like'")
    [ "$err" = NULL ] || { echo "in ERROR: $err" >&2; return 1; }
    busy=$(sql "select count(*) from $INSTANCES where (task_state is not null or vm_state<>'active') and display_name like '$like'")
    [ "$busy" = 0 ] && return 0
    [ "$(date +%s)" -ge $deadline ] && { echo "$busy server(s) still busy after ${timeout}s" >&2; return 1; }
    sleep 1
  done
}

case $verb in
  boot)
    [[ ${1:-} =~ ^[0-9]+$ ]] || usage
    N=$1; shift; PREFIX=vm; HOSTS=; WAIT=1; TIMEOUT=180
    while [ $# -gt 0 ]; do
      case $1 in
        --prefix) PREFIX=$2; shift 2 ;; --hosts) HOSTS=$2; shift 2 ;;
        --no-wait) WAIT=0; shift ;; --timeout) TIMEOUT=$2; shift 2 ;;
        *) die "unknown option $1" ;;
      esac
    done
    [[ $PREFIX =~ ^[A-Za-z0-9._-]+$ ]] || die "bad prefix '$PREFIX'"
    if [ -z "$HOSTS" ]; then
      HOSTS=$(sql "select host from nova.services where \`binary\`='nova-compute' and deleted=0 and disabled=0
                   and coalesce(updated_at, created_at) > utc_timestamp() - interval 60 second order by host")
    fi
    read -r -a hosts <<<"$(echo "$HOSTS" | tr ',\n' '  ')"
    [ ${#hosts[@]} -gt 0 ] || die "no compute to boot on (none enabled and up)"
    last=$(sql "select coalesce(max(cast(substring(display_name, $(( ${#PREFIX} + 2 ))) as unsigned)), 0)
                from $INSTANCES where display_name regexp '^$PREFIX-[0-9]+\$'")
    cmds=$(mktemp); trap 'rm -f "$cmds"' EXIT
    for i in $(seq 1 "$N"); do
      h=${hosts[$(( (i - 1) % ${#hosts[@]} ))]}
      echo "server create --image fake-image --flavor m1.tiny --nic none --availability-zone nova:$h -f value -c id $PREFIX-$((last + i))"
    done > "$cmds"
    openstack < "$cmds" > "$L/logs/servers-boot.out" 2>&1 || true
    if grep -qiE 'error|exception|unable' "$L/logs/servers-boot.out"; then cat "$L/logs/servers-boot.out" >&2; die "server create failed"; fi
    echo "booting $PREFIX-$((last + 1))..$PREFIX-$((last + N)) on ${hosts[*]}"
    [ $WAIT = 1 ] || exit 0
    wait_settled "$TIMEOUT" "$PREFIX-%" || exit 1
    sql "select display_name, host from $INSTANCES where display_name regexp '^$PREFIX-[0-9]+\$'
         and cast(substring(display_name, $(( ${#PREFIX} + 2 ))) as unsigned) > $last order by host, display_name" | tr '\t' ' '
    ;;
  list)
    # (the client of Zed repeats the Task State and Host columns: keep the first five)
    openstack server list --all-projects --long -f value -c ID -c Name -c Status -c 'Task State' -c Host | awk '{print $1, $2, $3, $4, $5}' ;;
  where)
    sql "select display_name, uuid, coalesce(host, '-'), vm_state, coalesce(task_state, '-') from $INSTANCES order by display_name" | tr '\t' ' ' ;;
  on)
    [ -n "${1:-}" ] || usage
    sql "select uuid, display_name from nova.instances where deleted=0 and host='$1' order by display_name" | tr '\t' ' ' ;;
  count)
    sql "select count(*) from $INSTANCES ${1:+where host='$1'}" ;;
  migrations)
    sql "select instance_uuid, migration_type, status, source_compute, dest_compute from nova.migrations
         where deleted=0 ${1:+and instance_uuid='$1'} order by id desc" | tr '\t' ' ' ;;
  wait)
    TIMEOUT=180; [ "${1:-}" = --timeout ] && TIMEOUT=$2
    wait_settled "$TIMEOUT" ;;
  delete-all)
    like=%; [ "${1:-}" = --prefix ] && like="$2-%"
    ids=$(sql "select uuid from $INSTANCES where display_name like '$like'")
    [ -n "$ids" ] || { echo "no servers"; exit 0; }
    # shellcheck disable=SC2086
    openstack server delete --wait $ids
    echo "deleted $(echo "$ids" | wc -l) server(s)" ;;
  *) usage ;;
esac
