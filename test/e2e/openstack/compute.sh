#!/bin/bash
# The lab's fake nova-computes, one process each, as the "old" or the "new" release
# (bin/nova-service: new = the installed nova reporting service version + 1, 65 on Zed).
#
# usage: compute.sh [--lab DIR] VERB ...
#   start HOST [--version old|new] [--no-wait] [--timeout S]
#        start HOST's nova-compute (a new HOST registers itself as one more compute), then
#        wait (default 120 s) until its record in nova.services reports the version after
#        the start. Exit 0 up; 1 the process died (its log tail on stderr); 2 timed out (left
#        running: stop it). Already running as that version: exit 0; as the other one: exit 1.
#   stop HOST [--timeout S]
#        SIGTERM, wait for it to exit (SIGKILL after S, default 90 s). Not running: exit 0.
#   restart HOST [--version old|new] [--no-wait] [--timeout S]      stop, then start
#   status HOST
#        one line: host= process=running|stopped pid= release=old|new version= state=up|down
#        status=enabled|disabled last_report_s= ; exit 0 if the process runs, nova says up
#        and the version is the release's, else 3. state/status/version are nova's record
#        (nova.services): a compute stopped or hung less than 60 s ago still shows "up".
#   list                                  status of every compute of the lab (exit 0)
#   versions                              nova.services: host binary version disabled up
#   break [HOST] [exit|hang] / unbreak [HOST]   (unbreak without HOST: every marker)
#        make the new release fail to start (every host, or HOST only): "exit" (default)
#        exits with status 1 after 2 s, "hang" runs but never reports. Writes/removes the
#        marker file STATE_DIR/broken or STATE_DIR/broken.HOST. The env var
#        UPGRADEC_LAB_BROKEN=exit|hang on `start` does the same for one start.
#        The old release always starts (rollback).
# --version defaults to the release the host was last started as, even if that start failed
# (old for a new host): pass it explicitly to roll back.
# State directory: --lab DIR, else $UPGRADEC_OPENSTACK_LAB, else /tmp/upgradec-openstack-lab.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lab_parse_args "$@"
set -- "${LAB_ARGS[@]+"${LAB_ARGS[@]}"}"
[ $# -ge 1 ] || usage
verb=$1; shift
lab_require

host_arg() { [ $# -ge 1 ] && [ -n "$1" ] && [[ $1 != -* ]] || usage; H=$1; }

opts() { # parse --version/--no-wait/--timeout into REL WAIT TIMEOUT
  while [ $# -gt 0 ]; do
    case $1 in
      --version) REL=$2; shift 2 ;; --version=*) REL=${1#--version=}; shift ;;
      --no-wait) WAIT=0; shift ;;
      --timeout) TIMEOUT=$2; shift 2 ;; --timeout=*) TIMEOUT=${1#--timeout=}; shift ;;
      *) die "unknown option $1" ;;
    esac
  done
  case $REL in old|new) ;; *) die "--version is old or new, not '$REL'" ;; esac
  [[ $TIMEOUT =~ ^[0-9]+$ ]] || die "--timeout is a number of seconds"
}

last_release() { [ -f "$L/computes/$1" ] && cat "$L/computes/$1" || echo old; }

do_start() {
  local pid v since rc=0 cur
  pid=$(pid_of "nova-compute-$H")
  if pid_alive "$pid"; then
    cur=$(last_release "$H")
    if [ "$cur" = "$REL" ]; then echo "$H already running as $REL (pid $pid)"; return 0; fi
    echo "$H is running as $cur (pid $pid): stop it first" >&2; return 1
  fi
  v=$(compute_version_of "$REL")
  since=$(utc_now)
  compute_spawn "$H" "$REL"
  pid=$(pid_of "nova-compute-$H")
  if [ "$WAIT" = 0 ]; then echo "$H starting as $REL (version $v, pid $pid)"; return 0; fi
  compute_wait_up "$H" "$v" "$since" "$TIMEOUT" || rc=$?
  case $rc in
    0) echo "$H up as $REL (version $v, pid $pid)" ;;
    1) echo "$H ($REL, pid $pid) exited during start; log tail:" >&2
       awk '/^=== /{n=0} {l[n++]=$0} END{for(i=(n>10?n-10:0);i<n;i++) print l[i]}' "$L/logs/nova-compute-$H.out" >&2
       tail -n 5 "$L/logs/nova-compute-$H.log" 2>/dev/null | grep -E 'ERROR|CRITICAL' >&2 || true
       rm -f "$L/pids/nova-compute-$H" ;;
    2) echo "$H ($REL, pid $pid) not up after ${TIMEOUT}s (still running: compute.sh stop $H)" >&2 ;;
  esac
  return $rc
}

do_stop() {
  local pid deadline
  pid=$(pid_of "nova-compute-$H")
  if ! pid_alive "$pid"; then rm -f "$L/pids/nova-compute-$H"; echo "$H not running"; return 0; fi
  kill -TERM "$pid"
  deadline=$(( $(date +%s) + TIMEOUT ))
  while pid_alive "$pid" && [ "$(date +%s)" -lt $deadline ]; do sleep 0.2; done
  if pid_alive "$pid"; then
    echo "$H (pid $pid) still running ${TIMEOUT}s after SIGTERM: SIGKILL" >&2
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    while pid_alive "$pid"; do sleep 0.1; done
  fi
  rm -f "$L/pids/nova-compute-$H"
  echo "$H stopped (pid $pid)"
}

do_status() { # prints one line; returns 0 if running and up
  local pid proc=stopped rel rec v=- dis st=down status=- ago=-
  pid=$(pid_of "nova-compute-$H")
  pid_alive "$pid" && proc=running || pid=-
  rel=$( [ -f "$L/computes/$H" ] && cat "$L/computes/$H" || echo -)
  rec=$(compute_record "$H")
  if [ -n "$rec" ]; then
    read -r v dis up ago <<<"$rec"
    [ "$dis" = 1 ] && status=disabled || status=enabled
    [ "$up" = 1 ] && st=up
  fi
  echo "host=$H process=$proc pid=$pid release=$rel version=$v state=$st status=$status last_report_s=$ago"
  [ $proc = running ] && [ $st = up ] && [ "$rel" != - ] && [ "$v" = "$(compute_version_of "$rel")" ]
}

REL=; WAIT=1; TIMEOUT=120
case $verb in
  start|restart)
    host_arg "$@"; shift; REL=$(last_release "$H"); opts "$@"
    if [ "$verb" = restart ]; then t=$TIMEOUT; TIMEOUT=90; do_stop; TIMEOUT=$t; fi
    do_start ;;
  stop)
    host_arg "$@"; shift; REL=old; TIMEOUT=90; opts "$@"; do_stop ;;
  status)
    host_arg "$@"; do_status || exit 3 ;;
  list)
    hosts=$( { ls "$L/computes" 2>/dev/null; sql "select host from nova.services where \`binary\`='nova-compute' and deleted=0" 2>/dev/null; } | sort -u)
    for H in $hosts; do do_status || true; done ;;
  versions)
    mysql --defaults-file="$L/my.cnf" -t -e "select host, \`binary\`, version, disabled,
      coalesce(updated_at, created_at) > utc_timestamp() - interval 60 second as up
      from nova.services where deleted=0 order by \`binary\`, host" ;;
  break)
    h=; mode=exit
    for a in "$@"; do case $a in exit|hang) mode=$a ;; *) h=$a ;; esac; done
    f=$L/broken${h:+.$h}; echo "$mode" > "$f"; echo "new release broken ($mode) for ${h:-every host}: $f" ;;
  unbreak)
    if [ -n "${1:-}" ]; then rm -f "$L/broken.$1"; echo "removed $L/broken.$1"
    else rm -f "$L"/broken "$L"/broken.*; echo "removed $L/broken*"; fi ;;
  *) usage ;;
esac
