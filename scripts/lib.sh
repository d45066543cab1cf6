# Sourced by the test scripts, after they cd to the repository root: where cargo puts the proxy,
# a free loopback port, and waiting for a started proxy to answer.

# The target directory cargo builds into: $CARGO_TARGET_DIR (relative to the root) or target/.
target_dir() {
  local dir=${CARGO_TARGET_DIR:-target}
  case "$dir" in /*) ;; *) dir=$PWD/$dir ;; esac
  printf '%s\n' "$dir"
}

# The debug build of migration-proxy (absolute path).
proxy_bin() {
  printf '%s/debug/migration-proxy\n' "$(target_dir)"
}

# A loopback port that was free a moment ago.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# wait_healthz WHO ORIGIN PID LOG [TRIES]: polls ORIGIN/healthz every 0.1 s, TRIES times (100);
# if the process PID exits or the tries run out, prints LOG and exits 1, naming WHO.
wait_healthz() {
  local who=$1 origin=$2 pid=$3 log=$4 tries=${5:-100}
  for _ in $(seq 1 "$tries"); do
    curl -fsS "$origin/healthz" >/dev/null 2>&1 && return 0
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "$who: the proxy exited:" >&2
      cat "$log" >&2
      exit 1
    fi
    sleep 0.1
  done
  echo "$who: the proxy did not answer $origin/healthz; its log ends:" >&2
  tail -n 20 "$log" >&2
  exit 1
}
