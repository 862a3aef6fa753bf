# Process helpers: start daemons in the background with pid files, wait for them, stop them by pid. Sourced.
# shellcheck shell=bash

# free_port: a TCP port on 127.0.0.1 that nothing listens on right now.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# start_daemon <state dir> <name> <command...>: runs it detached (own session), log in <dir>/logs/<name>.log,
# pid in <dir>/pids/<name>.pid.
start_daemon() {
  local dir="$1" name="$2"
  shift 2
  mkdir -p "$dir/logs" "$dir/pids"
  # 8 and 9 are the cluster scripts' lock descriptors: a daemon that inherited one would hold the lock forever.
  setsid "$@" >"$dir/logs/$name.log" 2>&1 </dev/null 8>&- 9>&- &
  echo $! >"$dir/pids/$name.pid"
}

# daemon_alive <state dir> <name>
daemon_alive() {
  local pidfile="$1/pids/$2.pid" pid state
  [ -f "$pidfile" ] || return 1
  pid="$(cat "$pidfile")"
  # A killed daemon stays a zombie until PID 1 reaps it; that is not alive.
  state="$(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null)" || return 1
  [ -n "$state" ] && [ "$state" != Z ] && [ "$state" != X ]
}

# wait_for <seconds> <description> <state dir> <daemon name or ""> <command...>: polls the command until it
# succeeds; fails early with the daemon's log tail if the daemon died.
wait_for() {
  local timeout="$1" what="$2" dir="$3" daemon="$4"
  shift 4
  local deadline=$((SECONDS + timeout))
  while ! "$@" >/dev/null 2>&1; do
    if [ -n "$daemon" ] && ! daemon_alive "$dir" "$daemon"; then
      echo "error: $daemon exited while waiting for $what; last lines of $dir/logs/$daemon.log:" >&2
      tail -n 20 "$dir/logs/$daemon.log" >&2 || true
      return 1
    fi
    if [ $SECONDS -ge $deadline ]; then
      echo "error: timed out after ${timeout}s waiting for $what (logs in $dir/logs)" >&2
      return 1
    fi
    sleep 0.2
  done
}

# stop_daemons <state dir> [name...]: SIGTERM each by pid (default: all pid files, newest first), then SIGKILL
# whatever is still alive after 10 s.
stop_daemons() {
  local dir="$1"
  shift
  local names=("$@")
  if [ ${#names[@]} -eq 0 ] && [ -d "$dir/pids" ]; then
    mapfile -t names < <(ls -t "$dir/pids" 2>/dev/null | sed 's/\.pid$//')
  fi
  local pids=() name pid
  for name in "${names[@]}"; do
    [ -f "$dir/pids/$name.pid" ] || continue
    pid="$(cat "$dir/pids/$name.pid")"
    # setsid made each daemon a process-group leader: signal the group so children (shims, helpers) go too.
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
      pids+=("$pid")
    fi
    rm -f "$dir/pids/$name.pid"
  done
  local deadline=$((SECONDS + 10))
  for pid in "${pids[@]}"; do
    while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && { kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true; }
  done
  return 0
}
