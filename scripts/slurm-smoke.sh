#!/usr/bin/env bash
# Slurm smoke test of the scale-out recipe (issue 10 item 6, docs/scale-out.md).
#
# Brings up a one-node Slurm cluster on this host (munged, slurmctld and slurmd,
# all private to a temporary directory: own munge key and socket, own
# slurm.conf, state and spool directories, the first free ports from
# 16817/16818, or SLURM_SMOKE_PORT and the next), generates 8 captures with `anycast-replay synth`,
# submits the documented job array (docs/slurm/batch-array.sbatch, 4 shards)
# and the dependent merge job (docs/slurm/merge.sbatch), waits for both, and
# compares the merged CSV and summaries with one local `anycast-replay batch`
# run byte for byte.
#
# Installs nothing: it needs root, Debian's slurm-wlm and munge, node and a
# built tree (`npm run build`). Prints PASS/FAIL lines; exits 0 when all pass,
# 1 on a failure, and 0 with a line starting "SKIP:" when it is not root, a
# tool is missing or the daemons cannot start here. Daemons are stopped and
# the directory removed on every exit (SLURM_SMOKE_KEEP=1 keeps the directory).
#
# Configuration choices, measured on a Debian 12 VM with Slurm 22.05: no
# cgroups (ProctrackType=proctrack/linuxproc, TaskPlugin=task/none, no
# cgroup.conf), no accounting, SlurmUser=root, the node addressed as 127.0.0.1.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TIMEOUT=${SLURM_SMOKE_TIMEOUT:-150}
PORT=${SLURM_SMOKE_PORT:-16817}
GRID=(--servers 2,5 --seeds 1-2)
SHARDS=4
CAPTURES=8

skip() { echo "SKIP: $*"; exit 0; }
fail() { echo "FAIL: $*"; STATUS=1; exit 1; }
pass() { echo "PASS: $*"; }

[ "$(id -u)" = 0 ] || skip "not root (slurmctld, slurmd and munged run as root here)"
for tool in munged slurmctld slurmd sbatch squeue sinfo scontrol scancel node; do
  command -v "$tool" >/dev/null 2>&1 || skip "$tool is not installed (Debian packages slurm-wlm and munge, and node)"
done
[ -f "$ROOT/dist/cli/main.js" ] || fail "dist/ is missing: run 'npm run build' first"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/anycast-slurm-smoke.XXXXXX") || fail "cannot create a temporary directory"
chmod 0755 "$WORK"
STATUS=0
PIDS=()

cleanup() {
  local pid
  if [ -n "${SLURM_CONF:-}" ] && [ -n "${CTLD_PID:-}" ]; then
    scancel --quiet --user=root >/dev/null 2>&1 || true
  fi
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do
    for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$pid" 2>/dev/null || true
  done
  if [ "${SLURM_SMOKE_KEEP:-0}" = 1 ]; then
    echo "kept $WORK"
  else
    rm -rf "$WORK"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Prints the last lines of the daemons' logs (on a failure or a skip for a daemon).
logs() {
  local f
  for f in "$WORK"/log/*.log; do
    [ -s "$f" ] || continue
    echo "--- $(basename "$f") (last 15 lines)"
    tail -n 15 "$f"
  done
}

# The CLI on PATH as the recipes call it (the jobs inherit this PATH from sbatch).
mkdir -p "$WORK/bin" "$WORK/log" "$WORK/munge" "$WORK/state" "$WORK/spool" "$WORK/run"
printf '#!/bin/sh\nexec "%s" "%s" "$@"\n' "$(command -v node)" "$ROOT/bin/anycast-replay.js" > "$WORK/bin/anycast-replay"
chmod 0755 "$WORK/bin/anycast-replay"
export PATH="$WORK/bin:$PATH"
anycast-replay batch --help >/dev/null 2>&1 || fail "'anycast-replay batch --help' fails: the batch command is missing or broken"
anycast-replay merge --help >/dev/null 2>&1 || fail "'anycast-replay merge --help' fails: the merge command is missing or broken"

# munged with its own key and socket.
chmod 0700 "$WORK/munge"
dd if=/dev/urandom of="$WORK/munge/munge.key" bs=1024 count=1 status=none
chmod 0400 "$WORK/munge/munge.key"
SOCKET="$WORK/munge/munge.socket"
munged --foreground --force --key-file="$WORK/munge/munge.key" --socket="$SOCKET" \
  --pid-file="$WORK/munge/munged.pid" --seed-file="$WORK/munge/munged.seed" \
  --log-file="$WORK/log/munged.log" >>"$WORK/log/munged.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 50); do [ -S "$SOCKET" ] && break; sleep 0.1; done
[ -S "$SOCKET" ] || { logs; skip "munged did not start"; }

# A one-node cluster: this host is controller and only compute node, on the
# first pair of ports from $PORT that nothing listens on (a cluster of the host,
# or one left by a killed run, keeps its own).
if [ -z "${SLURM_SMOKE_PORT:-}" ] && command -v ss >/dev/null 2>&1; then
  while ss -Hltn "( sport = :$PORT or sport = :$((PORT + 1)) )" 2>/dev/null | grep -q .; do
    PORT=$((PORT + 2))
  done
fi
NODE=$(hostname -s)
CPUS=$(nproc)
export SLURM_CONF="$WORK/slurm.conf"
cat >"$SLURM_CONF" <<EOF
ClusterName=anycast-smoke
SlurmctldHost=$NODE(127.0.0.1)
SlurmctldPort=$PORT
SlurmdPort=$((PORT + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$SOCKET
CredType=cred/munge
StateSaveLocation=$WORK/state
SlurmdSpoolDir=$WORK/spool/slurmd-%n
SlurmctldPidFile=$WORK/run/slurmctld.pid
SlurmdPidFile=$WORK/run/slurmd.pid
SlurmctldLogFile=$WORK/log/slurmctld.log
SlurmdLogFile=$WORK/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SwitchType=switch/none
MpiDefault=none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
ReturnToService=2
MinJobAge=600
SlurmctldTimeout=30
SlurmdTimeout=30
InactiveLimit=0
KillWait=5
NodeName=$NODE NodeAddr=127.0.0.1 CPUs=$CPUS RealMemory=256 State=UNKNOWN
PartitionName=debug Nodes=$NODE Default=YES MaxTime=INFINITE State=UP
EOF

slurmctld -D -c -f "$SLURM_CONF" >>"$WORK/log/slurmctld.out" 2>&1 &
CTLD_PID=$!
PIDS+=("$CTLD_PID")
slurmd -D -f "$SLURM_CONF" >>"$WORK/log/slurmd.out" 2>&1 &
PIDS+=($!)

state=""
for _ in $(seq 1 60); do
  state=$(sinfo -h -n "$NODE" -o %T 2>/dev/null | head -n 1)
  [ "$state" = idle ] && break
  for pid in "${PIDS[@]}"; do
    kill -0 "$pid" 2>/dev/null || { logs; skip "a Slurm daemon exited at start (see the logs above)"; }
  done
  sleep 1
done
[ "$state" = idle ] || { logs; skip "node $NODE did not become idle within 60 s (state '${state:-none}')"; }
pass "one-node cluster up: node $NODE idle, $CPUS CPUs"

# The captures and their list, in the directory the jobs are submitted from.
cd "$WORK/run" || fail "no $WORK/run"
mkdir -p captures
: >captures.txt
for k in $(seq 1 "$CAPTURES"); do
  anycast-replay synth --duration 10 --rate 10 --seed "$k" --start $((1700000000 + 100 * k)) \
    -o "captures/segment-$k.pcap" -q || fail "synth of capture $k failed"
  echo "captures/segment-$k.pcap" >>captures.txt
done

# The documented recipe: the array, then the merge once every task succeeded.
array=$(sbatch --parsable --array=0-$((SHARDS - 1)) "$ROOT/docs/slurm/batch-array.sbatch" captures.txt "${GRID[@]}") \
  || fail "sbatch of the array job failed"
array=${array%%;*}
merge=$(sbatch --parsable --dependency=afterok:"$array" "$ROOT/docs/slurm/merge.sbatch") \
  || fail "sbatch of the merge job failed"
merge=${merge%%;*}
echo "submitted array job $array (tasks 0-$((SHARDS - 1))) and merge job $merge"

deadline=$((SECONDS + TIMEOUT))
while [ -n "$(squeue -h -j "$array,$merge" -o %i 2>/dev/null)" ]; do
  if [ "$SECONDS" -ge "$deadline" ]; then
    squeue -j "$array,$merge"
    logs
    fail "the jobs did not finish within $TIMEOUT s"
  fi
  sleep 1
done

# Every task and the merge must have completed (MinJobAge keeps them visible).
bad=0
for id in $(seq 0 $((SHARDS - 1))); do
  line=$(scontrol -o show job "${array}_${id}" 2>/dev/null)
  st=$(sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p' <<<"$line")
  [ "$st" = COMPLETED ] || { echo "task ${array}_${id}: ${st:-unknown}"; bad=1; }
done
st=$(scontrol -o show job "$merge" 2>/dev/null | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p')
[ "$st" = COMPLETED ] || { echo "merge job $merge: ${st:-unknown}"; bad=1; }
if [ "$bad" = 1 ]; then
  for f in anycast-*.out; do [ -f "$f" ] && { echo "--- $f"; tail -n 20 "$f"; }; done
  logs
  fail "a job of the recipe did not complete"
fi
pass "array job $array ($SHARDS tasks) and merge job $merge completed"

for id in $(seq 0 $((SHARDS - 1))); do
  [ -f "results/shard-$id/manifest.json" ] || fail "results/shard-$id/manifest.json is missing"
done
done_count=$(find results -path 'results/shard-*/results/*.json' -type f | wc -l)
[ "$done_count" = "$CAPTURES" ] || fail "the shards hold $done_count capture results, not $CAPTURES"
pass "$SHARDS shard directories hold $CAPTURES capture results in all"

# The same sweep in one local run.
anycast-replay batch --list captures.txt "${GRID[@]}" --pool -o local.csv --summaries local.jsonl -q \
  || fail "the local batch run failed"
[ -s local.csv ] || fail "the local batch wrote no CSV"
cmp -s results/all.csv local.csv || fail "results/all.csv differs from the local batch CSV ($(cmp results/all.csv local.csv 2>&1))"
pass "merged CSV equals the local batch byte for byte ($(wc -c <local.csv) bytes, $(wc -l <local.csv) lines)"
cmp -s results/all.jsonl local.jsonl || fail "results/all.jsonl differs from the local batch summaries ($(cmp results/all.jsonl local.jsonl 2>&1))"
pass "merged summaries equal the local batch byte for byte ($(wc -l <local.jsonl) lines)"
echo "PASS: slurm smoke test"
exit 0
