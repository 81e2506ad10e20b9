#!/bin/bash
# usage: lab-up.sh [STATE_DIR]        (run as root; see docs/openstack-lab.md)
#
# A small OpenStack Zed from Debian 12's packages, on 127.0.0.1 only, run by hand (no
# systemd, no apache): MariaDB, RabbitMQ, keystone, placement, glance, neutron-server (API
# only), nova-api/-conductor/-scheduler, and fake nova-computes ($COMPUTES, default
# "cmp1 cmp2 cmp3", on fake.FakeLiveMigrateDriver) started as the "old" release.
#
# STATE_DIR (or $UPGRADEC_OPENSTACK_LAB, default /tmp/upgradec-openstack-lab) receives
# configs, data, logs/, pids/ (one file per process), adminrc and lab.env. Installs the
# packages in packages.txt when missing. Re-running it stops the lab of that state directory
# first (by pid), wipes it (keeping pkgs/) and starts afresh. Exit 0 once every compute
# reports up, is mapped to the cell and has a resource provider. On failure it stops what
# it started (logs stay in STATE_DIR/logs) unless UPGRADEC_LAB_KEEP_ON_FAILURE=1.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lab_set_dir "${1:-}"
COMPUTES=${COMPUTES:-"cmp1 cmp2 cmp3"}
T0=$(date +%s%N)
el() { echo "$(( ($(date +%s%N) - T0) / 100000000 ))" | sed 's/.$/.&/;s/^\./0./'; }
ts() { echo "[+$(el)s] $*"; }
[ "$(id -u)" = 0 ] || die "run as root (MariaDB and RabbitMQ run as root here; apt-get needs root)"
# on failure, stop what was started (logs stay) unless UPGRADEC_LAB_KEEP_ON_FAILURE=1
made_policy=0
on_exit() {
  local rc=$?
  [ $made_policy = 1 ] && rm -f /usr/sbin/policy-rc.d
  if [ $rc != 0 ] && [ "${UPGRADEC_LAB_KEEP_ON_FAILURE:-0}" != 1 ] && [ -e "$L/.upgradec-openstack-lab" ]; then
    echo "lab-up failed (exit $rc) after $(el) s: stopping what it started (logs in $L/logs)" >&2
    bash "$LAB_SRC/lab-down.sh" "$L" >&2 || true
  fi
  exit $rc
}
trap on_exit EXIT

# ------------------------------------------------------------------ previous run
if [ -e "$L" ] && [ -n "$(ls -A "$L" 2>/dev/null)" ] && [ ! -e "$L/.upgradec-openstack-lab" ]; then
  die "$L exists, is not empty and is not a lab state directory: not touching it"
fi
if [ -d "$L/pids" ] && [ -n "$(ls -A "$L/pids")" ]; then
  ts "stopping the previous lab in $L"
  bash "$LAB_SRC/lab-down.sh" "$L"
fi
mkdir -p "$L"
find "$L" -mindepth 1 -maxdepth 1 ! -name pkgs -exec rm -rf {} +
touch "$L/.upgradec-openstack-lab"
mkdir -p "$L"/{pids,logs,computes,pkgs,etc/{keystone,placement,glance,neutron,nova},data/glance/{images,staging,tasks,lock},data/neutron/lock,data/nova/lock,rabbit/{mnesia,log},mysql}
cd "$L"
ts "state directory $L"

# ------------------------------------------------------------------ packages
mapfile -t PKGS < <(grep -v '^#' "$LAB_SRC/packages.txt" | grep -v '^ *$')
missing=()
for p in "${PKGS[@]}"; do
  [ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)" = installed ] || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  ts "apt-get install ${#missing[@]} packages (log: $L/logs/apt.log)"
  export DEBIAN_FRONTEND=noninteractive
  # no service may start itself during the install (MariaDB and RabbitMQ would take the ports)
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\n# upgradec openstack lab: temporary\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
    made_policy=1
  fi
  { apt-get update -q && apt-get install -y -q --no-install-recommends -o Dpkg::Options::=--force-unsafe-io "${missing[@]}"; } > logs/apt.log 2>&1 \
    || { tail -n 30 logs/apt.log; die "apt-get failed (log: $L/logs/apt.log)"; }
  if [ $made_policy = 1 ]; then rm -f /usr/sbin/policy-rc.d; made_policy=0; fi
  ts "packages installed"
fi
dpkg-query -W "${PKGS[@]}" > versions.txt
nova_deb=$(dpkg-query -W -f='${Version}' python3-nova)
case $nova_deb in 2:26.*) ;; *) die "python3-nova $nova_deb is not Zed (26.x): this lab expects Debian 12's OpenStack" ;; esac

# ------------------------------------------------------------------ ports
busy=""
for port in $LAB_PORTS; do
  if ss -Hltn "sport = :$port" | grep -q .; then busy="$busy $port"; fi
done
if [ -n "$busy" ]; then
  ss -Hltnp | grep -E ":($(echo $busy | tr ' ' '|')) " >&2 || true
  die "port(s)$busy already in use (another lab, or a MariaDB/RabbitMQ started by systemd?)"
fi

# ------------------------------------------------------------------ configs
render() { sed -e "s|@LAB@|$L|g" "$LAB_SRC/etc/$1" > "$2"; }
render my.cnf my.cnf
render rabbitmq.conf rabbit/rabbitmq.conf
render keystone.conf etc/keystone/keystone.conf
render placement.conf etc/placement/placement.conf
render glance-api.conf etc/glance/glance-api.conf
render neutron.conf etc/neutron/neutron.conf
render nova-common.conf etc/nova/nova-common.conf
cat etc/nova/nova-common.conf "$LAB_SRC/etc/nova-db.conf" > etc/nova/nova.conf
render adminrc adminrc
# paste files shipped only in glance-common / neutron-common, which are not installed
# (their debconf/dbconfig-common questions and services are not wanted here)
if [ ! -f pkgs/glance-api-paste.ini ] || [ ! -f pkgs/neutron-api-paste.ini ]; then
  ( cd pkgs && rm -rf x && mkdir x && cd x && apt-get download glance-common neutron-common >/dev/null 2>&1 \
      || { apt-get update -q >/dev/null 2>&1 && apt-get download glance-common neutron-common >/dev/null 2>&1; } \
      || die "apt-get download glance-common neutron-common failed"
    dpkg -x glance-common_*.deb . && dpkg -x neutron-common_*.deb .
    cp usr/share/glance-common/glance-api-paste.ini ../glance-api-paste.ini
    cp usr/share/neutron-common/api-paste.ini ../neutron-api-paste.ini
    cd .. && rm -rf x )
fi
cp pkgs/glance-api-paste.ini etc/glance/glance-api-paste.ini
cp pkgs/neutron-api-paste.ini etc/neutron/api-paste.ini
cp /etc/nova/api-paste.ini etc/nova/api-paste.ini
# nova's service version (seconds of imports: in the background while RabbitMQ and MariaDB start)
( $PY -c 'from nova.objects.service import SERVICE_VERSION as v; print(v)' > nova-service-version 2>logs/nova-service-version.err ) &
novaver=$!
write_lab_env() {
  wait $novaver || die "cannot read nova's SERVICE_VERSION: $(cat logs/nova-service-version.err)"
  NOVA_OLD_VERSION=$(cat nova-service-version)
  cat > lab.env <<EOF
LAB=$L
COMPUTES="$COMPUTES"
NOVA_OLD_VERSION=$NOVA_OLD_VERSION
NOVA_NEW_VERSION=$((NOVA_OLD_VERSION + 1))
NOVA_DEB=$nova_deb
MYSQL="mysql --defaults-file=$L/my.cnf"
OPENRC=$L/adminrc
EOF
}

# ------------------------------------------------------------------ rabbitmq, mariadb
ts "rabbitmq, mariadb"
echo '[].' > rabbit/enabled_plugins; : > rabbit/rabbitmq-env.conf
epmd_before=$(ss -Hltnp 'sport = :4369' | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2 || true)
HOME=$L/rabbit RABBITMQ_NODENAME=rabbit@localhost RABBITMQ_CONFIG_FILE=$L/rabbit/rabbitmq.conf \
  RABBITMQ_CONF_ENV_FILE=$L/rabbit/rabbitmq-env.conf RABBITMQ_MNESIA_BASE=$L/rabbit/mnesia \
  RABBITMQ_LOG_BASE=$L/rabbit/log RABBITMQ_ENABLED_PLUGINS_FILE=$L/rabbit/enabled_plugins \
  ERL_EPMD_ADDRESS=127.0.0.1 RABBITMQ_DIST_PORT=25672 \
  RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}" \
  spawn rabbitmq /usr/lib/rabbitmq/bin/rabbitmq-server
mariadb-install-db --defaults-file="$L/my.cnf" --auth-root-authentication-method=socket > logs/mysql-install.log 2>&1 \
  || { tail logs/mysql-install.log; die "mariadb-install-db failed"; }
spawn mysqld mariadbd --defaults-file="$L/my.cnf"
for i in $(seq 1 120); do sql_ok && break; pid_alive "$(pid_of mysqld)" || break; sleep 0.25; done
sql_ok || { tail logs/mysqld.err; die "MariaDB did not start"; }
sql "CREATE DATABASE keystone; CREATE DATABASE placement; CREATE DATABASE glance; CREATE DATABASE neutron;
     CREATE DATABASE nova_api; CREATE DATABASE nova; CREATE DATABASE nova_cell0;
     CREATE USER 'os'@'127.0.0.1' IDENTIFIED BY 'secret'; GRANT ALL PRIVILEGES ON *.* TO 'os'@'127.0.0.1';"
for i in $(seq 1 240); do
  ss -Hltn 'sport = :5672' | grep -q 127.0.0.1 && break
  pid_alive "$(pid_of rabbitmq)" || break; sleep 0.25
done
ss -Hltn 'sport = :5672' | grep -q 127.0.0.1 || { tail -n 20 logs/rabbitmq.out; die "RabbitMQ did not start"; }
if [ -z "$epmd_before" ]; then  # epmd was started by our RabbitMQ: ours to stop
  ss -Hltnp 'sport = :4369' | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2 > pids/epmd
fi
ts "rabbitmq, mariadb up"

write_lab_env

# ------------------------------------------------------------------ helpers
wait_http() { # PORT NAME
  for i in $(seq 1 480); do
    curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$1/" && return 0
    pid_alive "$(pid_of "$2")" || break; sleep 0.25
  done
  tail -n 20 "logs/$2.out" >&2 || true; die "$2 (port $1) did not come up (logs in $L/logs)"
}
# uwsgi: a master and N workers, plain HTTP, no keep-alive (requests against uwsgi's
# http-socket keep-alive gives "Connection reset by peer")
# keystone and placement load once and fork their workers; nova-api (eventlet, RabbitMQ)
# loads in each worker (--lazy-apps)
uwsgi_spawn() { # NAME PORT WSGI-FILE PROCS [--lazy-apps]
  spawn "$1" uwsgi --plugin python3 --http-socket "127.0.0.1:$2" --wsgi-file "$3" --master --processes "$4" \
    --threads 1 ${5:-} --die-on-term --need-app --add-header 'Connection: close' --buffer-size 65535 \
    --procname-prefix "$1 "
}
# run NAME CMD...: a setup step in the background, its output in logs/NAME.log
declare -A JOBS=()
run() { # NAME CMD...: CMD in the background, its output in logs/NAME.log
  local n=$1; shift
  ( s=$(date +%s); "$@"; echo $(( $(date +%s) - s )) > "logs/$n.secs" ) > "logs/$n.log" 2>&1 & JOBS[$n]=$!
}
join() { # NAME...: wait for setup steps, fail with their log
  local n
  for n in "$@"; do
    wait "${JOBS[$n]}" || { tail -n 30 "logs/$n.log" >&2; die "setup step $n failed (log: $L/logs/$n.log)"; }
    ts "  $n done (took $(cat "logs/$n.secs") s)"
  done
}

# ------------------------------------------------------------------ schemas and services
# Five chains in parallel, each starting its services as soon as its schema is there; their
# output and per-command timings in logs/<chain>.log. Keystone's is the longest and everything
# after waits for it and nova's: glance's and neutron's schema syncs run niced.
ts "schemas and services: keystone, placement, glance, neutron, nova"
KS="keystone-manage --config-file $L/etc/keystone/keystone.conf"
C=(--config-file "$L/etc/nova/nova.conf")
t() { local s; s=$(date +%s%N); "$@"; echo "## $(( ($(date +%s%N) - s) / 1000000 )) ms: $*"; }
keystone_chain() {
  # what `keystone-manage fernet_setup` / `credential_setup` write (without their seconds of imports):
  # key 0 staged, key 1 primary, each a urlsafe-base64 32-byte Fernet key
  local d k
  for d in fernet-keys credential-keys; do
    mkdir -m 700 -p "etc/keystone/$d"
    for k in 0 1; do (umask 077; head -c 32 /dev/urandom | base64 | tr '+/' '-_' > "etc/keystone/$d/$k"); done
  done
  t $KS db_sync
  t $KS bootstrap --bootstrap-password secret --bootstrap-region-id RegionOne \
    --bootstrap-admin-url http://127.0.0.1:5000/v3/ --bootstrap-internal-url http://127.0.0.1:5000/v3/ \
    --bootstrap-public-url http://127.0.0.1:5000/v3/
  OS_KEYSTONE_CONFIG_FILES=$L/etc/keystone/keystone.conf uwsgi_spawn keystone 5000 /usr/bin/keystone-wsgi-public 2
  t wait_http 5000 keystone
  . ./adminrc
  # service project, users, roles, services, endpoints (fails on any HTTP error)
  t "$PY" "$LAB_SRC/bin/keystone-setup"
}
placement_chain() {
  t placement-manage --config-dir "$L/etc/placement" db sync
  OS_PLACEMENT_CONFIG_DIR=$L/etc/placement uwsgi_spawn placement 8778 /usr/bin/placement-api 2
}
glance_chain() {
  t nice "$PY" "$LAB_SRC/bin/glance-manage" --config-file "$L/etc/glance/glance-api.conf" db_sync
  spawn glance-api "$PY" "$LAB_SRC/bin/glance-api" --config-file "$L/etc/glance/glance-api.conf"
}
neutron_chain() {
  t nice "$PY" "$LAB_SRC/bin/neutron-db-manage" --config-file "$L/etc/neutron/neutron.conf" upgrade heads
  spawn neutron-server "$PY" "$LAB_SRC/bin/neutron-server" --config-file "$L/etc/neutron/neutron.conf"
}
nova_chain() {
  # api_db sync, cell_v2 map_cell0, cell_v2 create_cell --name cell1, db sync
  t "$PY" "$LAB_SRC/bin/nova-db-setup" mysql+pymysql://os:secret@127.0.0.1/nova_cell0 "${C[@]}"
  OS_NOVA_CONFIG_DIR=$L/etc/nova uwsgi_spawn nova-api 8774 /usr/bin/nova-api-wsgi 2 --lazy-apps
}
for c in keystone placement glance neutron nova; do run $c ${c}_chain; done
join placement neutron glance nova keystone
# conductor and scheduler authenticate to keystone when they start (placement client)
ts "nova-conductor, nova-scheduler"
since=$(utc_now)
spawn nova-conductor "$PY" "$LAB_SRC/bin/nova-service" conductor "${C[@]}" --log-file "$L/logs/nova-conductor.log"
spawn nova-scheduler "$PY" "$LAB_SRC/bin/nova-service" scheduler "${C[@]}" --log-file "$L/logs/nova-scheduler.log"
NM="nova-manage ${C[*]}"
wait_http 8778 placement
# a compute started before the conductor listens waits 10 s more per lost "ping"
for i in $(seq 1 240); do
  [ "$(sql "select count(*) from nova.services where \`binary\`='nova-conductor' and deleted=0
            and coalesce(updated_at, created_at) >= '$since'")" -ge 1 ] && break
  pid_alive "$(pid_of nova-conductor)" || { tail -n 20 logs/nova-conductor.log >&2; die "nova-conductor died"; }
  sleep 0.25
done
ts "computes: $COMPUTES"
since=$(utc_now)
for h in $COMPUTES; do compute_spawn "$h" old; done
. ./adminrc
wait_http 9292 glance-api
wait_http 9696 neutron-server
wait_http 8774 nova-api
# a sample image and flavor, in one client process, while the computes start
head -c 1048576 /dev/zero > data/fake.img
sample() {
  printf 'image create --public --disk-format raw --container-format bare --property hw_machine_type=pc --file %s fake-image\nflavor create --vcpus 1 --ram 128 --disk 1 m1.tiny\n' \
    "$L/data/fake.img" | openstack
}
run sample sample

ts "waiting for the computes to report"
n=$(echo $COMPUTES | wc -w)
for h in $COMPUTES; do
  rc=0; compute_wait_up "$h" "$NOVA_OLD_VERSION" "$since" 180 || rc=$?
  [ $rc = 0 ] || { tail -n 20 "logs/nova-compute-$h.out" "logs/nova-compute-$h.log" >&2; die "compute $h did not come up"; }
done
hosts_in() { echo "'$(echo $COMPUTES | sed "s/ /','/g")'"; }
for i in $(seq 1 240); do
  c=$(sql "select count(*) from nova.compute_nodes where deleted=0 and host in ($(hosts_in))")
  r=$(sql "select count(*) from placement.resource_providers where name in ($(hosts_in))")
  [ "$c" -ge "$n" ] && [ "$r" -ge "$n" ] && break; sleep 0.5
done
[ "$c" -ge "$n" ] && [ "$r" -ge "$n" ] || die "only $c compute nodes / $r resource providers of $n after 120 s"
$NM cell_v2 discover_hosts > logs/discover-hosts.log 2>&1
m=$(sql "select count(*) from nova_api.host_mappings where host in ($(hosts_in))")
[ "$m" -ge "$n" ] || die "only $m of $n computes mapped to cell1"
join sample
grep -q fake-image logs/sample.log && grep -q m1.tiny logs/sample.log || { cat logs/sample.log; die "creating the sample image and flavor failed"; }
for f in pids/*; do
  pid_alive "$(cat "$f")" || { tail -n 20 "logs/$(basename "$f").out" >&2; die "$(basename "$f") is not running"; }
done
for i in $(seq 1 120); do
  c=$(sql "select count(distinct \`binary\`) from nova.services where deleted=0 and \`binary\` in ('nova-conductor','nova-scheduler')
           and coalesce(updated_at, created_at) > utc_timestamp() - interval 60 second")
  [ "$c" = 2 ] && break; sleep 0.5
done
[ "$c" = 2 ] || die "nova-conductor or nova-scheduler does not report (logs in $L/logs)"
ts "lab up: $(sql "select group_concat(host, ':', version order by host) from nova.services where \`binary\`='nova-compute' and deleted=0")"
echo "lab up in $(el) s; state in $L; credentials: . $L/adminrc"
