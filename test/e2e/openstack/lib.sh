# shellcheck shell=bash
# Shared by lab-up.sh, lab-down.sh, compute.sh and servers.sh: sourced, not run.
#
# The lab's state directory is, in this order: the --lab DIR option (compute.sh, servers.sh),
# the first argument (lab-up.sh, lab-down.sh), $UPGRADEC_OPENSTACK_LAB, /tmp/upgradec-openstack-lab.

LAB_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LAB_DEFAULT_DIR=/tmp/upgradec-openstack-lab
# Debian's interpreter, whatever python3 comes first on PATH (pyenv, venvs).
PY=/usr/bin/python3
# Every port the lab listens on, all on 127.0.0.1 (epmd is shared: see lab-up.sh).
LAB_PORTS="3306 5672 25672 5000 8778 9292 9696 8774"
# The stop order of the non-OpenStack processes (OpenStack ones stop first, together).
LAB_INFRA="rabbitmq epmd mysqld"

lab_set_dir() { # [DIR]
  L=${1:-${UPGRADEC_OPENSTACK_LAB:-$LAB_DEFAULT_DIR}}
  case $L in /*) ;; *) L=$(pwd)/$L ;; esac
  L=${L%/}
  [ -n "$L" ] && [ "$L" != / ] || { echo "refusing state directory '$L'" >&2; exit 2; }
  export UPGRADEC_OPENSTACK_LAB=$L
}

die() { echo "error: $*" >&2; exit 1; }

# The command line of compute.sh and servers.sh: `--lab DIR` (anywhere) sets the state
# directory; the other arguments are left, in order, in LAB_ARGS.
lab_parse_args() {
  LAB_ARGS=()
  while [ $# -gt 0 ]; do
    case $1 in --lab) lab_set_dir "$2"; shift 2 ;; --lab=*) lab_set_dir "${1#--lab=}"; shift ;; *) LAB_ARGS+=("$1"); shift ;; esac
  done
  [ -n "${L:-}" ] || lab_set_dir ""
}

# A script's usage: its header comment, up to its `set -euo` line.
usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d;s/^# \{0,1\}//' >&2; exit 2; }

lab_require() { [ -f "$L/lab.env" ] || die "no lab in $L (run test/e2e/openstack/lab-up.sh)"; }

# True when PID runs and is not a zombie.
pid_alive() {
  [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null || return 1
  local st; st=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
  [ -n "$st" ] && [ "${st:0:1}" != Z ]
}

pid_of() { [ -f "$L/pids/$1" ] && cat "$L/pids/$1" 2>/dev/null || true; }

# spawn NAME CMD...: start CMD in its own session (pid = process group id), its output in
# logs/NAME.out, its pid in pids/NAME. Returns once the pid file is written.
spawn() {
  local name=$1; shift
  rm -f "$L/pids/$name"
  setsid bash -c 'echo $$ > "$0.tmp" && mv "$0.tmp" "$0" && exec "$@"' "$L/pids/$name" "$@" \
    </dev/null >>"$L/logs/$name.out" 2>&1 &
  local i
  for i in $(seq 1 100); do [ -s "$L/pids/$name" ] && return 0; sleep 0.05; done
  die "$name: no pid file after 5 s"
}

# stop_pids TIMEOUT NAME...: SIGTERM each recorded process (its whole process group when it
# leads one), all at once; wait up to TIMEOUT seconds; SIGKILL what is left. Removes the pid files.
stop_pids() {
  local timeout=$1; shift
  local name pid live=() names=()
  for name in "$@"; do
    pid=$(pid_of "$name")
    if pid_alive "$pid"; then
      if [ "$(ps -o pgid= -p "$pid" | tr -d ' ')" = "$pid" ]; then kill -TERM -- "-$pid" 2>/dev/null || true
      else kill -TERM "$pid" 2>/dev/null || true; fi
      live+=("$pid"); names+=("$name")
    else
      rm -f "$L/pids/$name"
    fi
  done
  [ ${#live[@]} -gt 0 ] || return 0
  local deadline=$(( $(date +%s) + timeout )) any i
  while :; do
    any=0
    for pid in "${live[@]}"; do pid_alive "$pid" && any=1; done
    [ $any = 0 ] && break
    [ "$(date +%s)" -ge $deadline ] && break
    sleep 0.2
  done
  for i in "${!live[@]}"; do
    pid=${live[$i]}; name=${names[$i]}
    if pid_alive "$pid"; then
      echo "  $name ($pid) still running after ${timeout}s: SIGKILL"
      kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do pid_alive "$pid" || break; sleep 0.1; done
    fi
    echo "  stopped $name ($pid)"
    rm -f "$L/pids/$name"
  done
}

# SQL as the lab's MariaDB root (unix socket), tab-separated, no header.
sql() { mysql --defaults-file="$L/my.cnf" -N -B -e "$1"; }

# Is the lab's MariaDB answering?
sql_ok() { [ -f "$L/my.cnf" ] && mysql --defaults-file="$L/my.cnf" -N -B -e 'select 1' >/dev/null 2>&1; }

lab_env() { # the admin credentials, for the openstack client
  [ -f "$L/adminrc" ] || die "no $L/adminrc: is the lab up? (test/e2e/openstack/lab-up.sh)"
  # shellcheck disable=SC1091
  . "$L/adminrc"
}

lab_conf() { # KEY: a value from lab.env
  [ -f "$L/lab.env" ] || die "no $L/lab.env: is the lab up? (test/e2e/openstack/lab-up.sh)"
  sed -n "s/^$1=//p" "$L/lab.env" | tr -d "'\""
}

# ------------------------------------------------------------------ computes

# The service version a release reports: old = the installed nova's, new = old + 1.
compute_version_of() { # old|new
  case $1 in old) lab_conf NOVA_OLD_VERSION ;; new) lab_conf NOVA_NEW_VERSION ;; *) die "release is old or new, not '$1'" ;; esac
}

# compute_spawn HOST old|new: start one fake nova-compute, without waiting for it.
compute_spawn() {
  local h=$1 rel=$2
  [[ $h =~ ^[A-Za-z0-9][A-Za-z0-9.-]*$ ]] || die "bad host name '$h'"
  mkdir -p "$L/data/nova/$h/instances" "$L/data/nova/$h/lock" "$L/computes"
  sed -e "s|@LAB@|$L|g" -e "s|@HOST@|$h|g" "$LAB_SRC/etc/nova-compute-host.conf" > "$L/etc/nova/$h.conf"
  echo "$rel" > "$L/computes/$h"
  echo "=== $(date -u +%FT%TZ) start $h as $rel" >> "$L/logs/nova-compute-$h.out"
  UPGRADEC_LAB_DIR=$L UPGRADEC_LAB_HOST=$h UPGRADEC_LAB_NOVA_RELEASE=$rel \
    spawn "nova-compute-$h" "$PY" "$LAB_SRC/bin/nova-service" compute \
      --config-file "$L/etc/nova/nova-common.conf" --config-file "$L/etc/nova/$h.conf" \
      --log-file "$L/logs/nova-compute-$h.log"
}

# One line about a compute's service record: version disabled up(1/0) seconds-since-report.
# "up" is nova's own rule: a report within service_down_time (60 s).
compute_record() { # HOST
  sql "select version, disabled, coalesce(updated_at, created_at) > utc_timestamp() - interval 60 second,
              timestampdiff(second, coalesce(updated_at, created_at), utc_timestamp())
       from nova.services where host='$1' and \`binary\`='nova-compute' and deleted=0" 2>/dev/null || true
}

# compute_wait_up HOST VERSION SINCE TIMEOUT: wait until the process runs and its record shows
# VERSION and a report made after SINCE (UTC 'YYYY-mm-dd HH:MM:SS'). 0 up, 1 died, 2 timed out.
compute_wait_up() {
  local h=$1 v=$2 since=$3 timeout=$4 pid n deadline
  deadline=$(( $(date +%s) + timeout ))
  while :; do
    pid=$(pid_of "nova-compute-$h")
    pid_alive "$pid" || return 1
    n=$(sql "select count(*) from nova.services where host='$h' and \`binary\`='nova-compute' and deleted=0
             and version=$v and coalesce(updated_at, created_at) >= '$since'" 2>/dev/null || echo 0)
    [ "${n:-0}" -ge 1 ] && return 0
    [ "$(date +%s)" -ge $deadline ] && return 2
    sleep 0.5
  done
}

utc_now() { date -u '+%F %T'; }
