# A one-node Slurm cluster for tests, on this host, all state under one temporary
# directory (sourced by tests/e2e/shard_slurm.sh; not a test itself). It needs root
# (slurmd runs jobs as their user) and Debian's slurm-wlm and munge (make deps).
#
#   slurm_up DIR    start munged, slurmctld and slurmd; 0 when the node is idle
#   slurm_down      stop each daemon by its own PID (call from an EXIT trap)
#   slurm_logs      the last lines of every daemon log (for a FAIL message)
#
# munge gets its own key (dd from /dev/urandom, mode 0400) and socket; slurm.conf points
# at that socket (AuthInfo), so nothing of the host's munge or Slurm setup is touched.
# SLURM_CONF is exported for the client commands (sbatch, sinfo, squeue).

SLURM_PIDS=()
SLURM_DIR=

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

slurm_logs() {
	local f
	for f in "$SLURM_DIR"/munged.log "$SLURM_DIR"/slurmctld.log "$SLURM_DIR"/slurmd.log \
		"$SLURM_DIR"/*.out; do
		[ -f "$f" ] && { echo "--- $f"; tail -n 8 "$f"; }
	done
}

slurm_down() {
	local p
	for p in "${SLURM_PIDS[@]}"; do
		kill "$p" 2>/dev/null
	done
	for p in "${SLURM_PIDS[@]}"; do
		for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$p" 2>/dev/null
	done
	SLURM_PIDS=()
}

slurm_up() {
	SLURM_DIR=$1
	local d=$1 host cpus p1 p2 i
	host=$(hostname -s)
	cpus=$(nproc)
	mkdir -p "$d/state" "$d/spool" "$d/munge"
	chmod 700 "$d/munge"
	dd if=/dev/urandom of="$d/munge/munge.key" bs=1024 count=1 status=none
	chmod 0400 "$d/munge/munge.key"
	p1=$(free_port)
	p2=$(free_port)
	while [ "$p2" = "$p1" ]; do p2=$(free_port); done
	/usr/sbin/munged -F --force --key-file="$d/munge/munge.key" --socket="$d/munge/munge.sock" \
		--pid-file="$d/munged.pid" --log-file="$d/munged.log" \
		--seed-file="$d/munge/munge.seed" >"$d/munged.out" 2>&1 &
	SLURM_PIDS+=($!)
	for i in $(seq 50); do [ -S "$d/munge/munge.sock" ] && break; sleep 0.1; done
	cat >"$d/slurm.conf" <<-EOF
	ClusterName=terntest
	SlurmctldHost=$host
	SlurmUser=root
	SlurmdUser=root
	AuthType=auth/munge
	AuthInfo=socket=$d/munge/munge.sock
	CredType=cred/munge
	SlurmctldPort=$p1
	SlurmdPort=$p2
	StateSaveLocation=$d/state
	SlurmdSpoolDir=$d/spool
	SlurmctldPidFile=$d/slurmctld.pid
	SlurmdPidFile=$d/slurmd.pid
	SlurmctldLogFile=$d/slurmctld.log
	SlurmdLogFile=$d/slurmd.log
	ProctrackType=proctrack/linuxproc
	TaskPlugin=task/none
	SelectType=select/cons_tres
	SelectTypeParameters=CR_CPU
	JobAcctGatherType=jobacct_gather/none
	AccountingStorageType=accounting_storage/none
	MpiDefault=none
	SwitchType=switch/none
	ReturnToService=2
	SlurmdTimeout=60
	NodeName=$host CPUs=$cpus RealMemory=1000 State=UNKNOWN
	PartitionName=tern Nodes=$host Default=YES MaxTime=INFINITE State=UP
	EOF
	export SLURM_CONF="$d/slurm.conf"
	/usr/sbin/slurmctld -D -i -f "$d/slurm.conf" >"$d/slurmctld.out" 2>&1 &
	SLURM_PIDS+=($!)
	sleep 1
	/usr/sbin/slurmd -D -f "$d/slurm.conf" >"$d/slurmd.out" 2>&1 &
	SLURM_PIDS+=($!)
	for i in $(seq 100); do
		if sinfo -h -N -o '%T' 2>/dev/null | grep -q -E '^(idle|mixed)'; then
			return 0
		fi
		sleep 0.2
	done
	return 1
}
