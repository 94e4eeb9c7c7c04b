# citus_cluster.sh - start and stop a Citus cluster on loopback ports, for
# test/suites/citus.sh and bench/citus.sh (sourced, not run).
#
#   citus_cluster_init            a temporary directory for the nodes
#   citus_node_start NAME         initdb + start a node; sets PORT_<NAME>
#   citus_cluster_stop            stop every node started, remove the directory
#   cq PORT SQL...                psql on a node (unaligned, tuples only, stop on error)
#
# Ports are asked of the operating system (a free one each), never fixed.
# Run as root, the nodes run as the postgres user.

CITUS_BIN=${CITUS_BIN:-$(pg_config --bindir)}
CITUS_DB=${CITUS_DB:-ea_citus}
CITUS_DIR=""
CITUS_NODES=""

citus_as_owner() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

citus_free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

citus_cluster_init() {
	CITUS_DIR=$(mktemp -d /tmp/ea-citus.XXXXXX)
	chmod 755 "$CITUS_DIR"
	[ "$(id -u)" = 0 ] && chown postgres "$CITUS_DIR"
	return 0
}

citus_node_start() {			# citus_node_start NAME
	local name=$1 port dir tries=0
	dir="$CITUS_DIR/$name"
	citus_as_owner "$CITUS_BIN/initdb" -A trust -U postgres -D "$dir" >"$CITUS_DIR/$name.initdb.log" 2>&1 || {
		cat "$CITUS_DIR/$name.initdb.log"; return 1; }
	cat >>"$dir/postgresql.conf" <<CONF
shared_preload_libraries = 'citus'
listen_addresses = '127.0.0.1'
unix_socket_directories = '$CITUS_DIR'
max_prepared_transactions = 100
max_connections = 100
shared_buffers = 64MB
fsync = off
synchronous_commit = off
full_page_writes = off
citus.log_distributed_deadlock_detection = off
CONF
	while :; do
		port=$(citus_free_port)
		echo "port = $port" >>"$dir/postgresql.conf"
		if citus_as_owner "$CITUS_BIN/pg_ctl" -D "$dir" -l "$CITUS_DIR/$name.log" -w -t 60 start >/dev/null 2>&1; then
			break
		fi
		tries=$((tries + 1))
		if [ $tries -ge 5 ]; then
			tail -20 "$CITUS_DIR/$name.log"
			return 1
		fi
	done
	CITUS_NODES="$CITUS_NODES $name"
	eval "PORT_$name=$port"
	citus_as_owner "$CITUS_BIN/createdb" -h 127.0.0.1 -p "$port" -U postgres "$CITUS_DB"
	cq "$port" -c "CREATE EXTENSION citus" >/dev/null
}

citus_cluster_stop() {
	local name
	[ -n "$CITUS_DIR" ] || return 0
	for name in $CITUS_NODES; do
		citus_as_owner "$CITUS_BIN/pg_ctl" -D "$CITUS_DIR/$name" -m immediate -w stop >/dev/null 2>&1
	done
	CITUS_NODES=""
	rm -rf "$CITUS_DIR"
	CITUS_DIR=""
}

cq() {							# cq PORT SQL...
	local port=$1
	shift
	psql -X -q -At -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres -d "$CITUS_DB" "$@"
}
