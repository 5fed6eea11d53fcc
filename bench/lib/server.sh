# shellcheck shell=bash
# Shared by the bench scripts; sourced, not run. Finds a JDK >= 21, builds the jar if it is missing, and starts a
# throwaway Perimeter server: the real jar on a free port, with a fresh temporary data dir (embedded PostgreSQL), a
# random bootstrap admin key and the local provider. The server, its PostgreSQL and the data dir are gone when the
# sourcing script exits, also on failure or Ctrl-C.
#
# After start_server: $base (http://127.0.0.1:<port>), $port, $data_dir, $admin_key, $server_pid. On exit, a report
# file named by $results that is still empty (the run stopped before printing) is removed too.

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'ERROR: %s\n' "$*" >&2; exit 1; }

require() { # require TOOL...
  local tool
  for tool in "$@"; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool is required"
  done
}

# ---- a JDK >= 21 (the jar targets Java 21) ----------------------------------------------------
java_major() { # major version of $1/bin/java, empty if not runnable
  "$1/bin/java" -XshowSettings:properties -version 2>&1 |
    sed -n 's/^ *java\.specification\.version = //p' | sed 's/^1\.//; s/[^0-9].*//'
}
pick_java_home() {
  local candidate major
  for candidate in "${JAVA_HOME:-}" \
    "$(java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.home = //p')" \
    /usr/lib/jvm/*/; do
    candidate=${candidate%/}
    [[ -n $candidate && -x $candidate/bin/java ]] || continue
    major=$(java_major "$candidate")
    if [[ -n $major ]] && ((major >= 21)); then
      printf '%s' "$candidate"
      return
    fi
  done
}
use_java() { # sets and exports JAVA_HOME and PATH
  JAVA_HOME=$(pick_java_home)
  [[ -n $JAVA_HOME ]] || die "no Java >= 21 found; set JAVA_HOME to a JDK 21+ (e.g. /usr/lib/jvm/temurin-25-jdk-amd64)"
  export JAVA_HOME
  export PATH="$JAVA_HOME/bin:$PATH"
}

jar=target/perimeter-0.1.0-SNAPSHOT.jar
ensure_jar() { # builds $jar if it is missing; a jar that is there is used as it is
  if [[ ! -f $jar ]]; then
    log "building $jar"
    ./mvnw -B -q -DskipTests package
  fi
  [[ -f $jar ]] || die "$jar was not built"
}

# ---- a throwaway server -------------------------------------------------------------------------
server_pid=""
data_dir=""

stop_server() {
  local status=$?
  if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 1 60); do
      kill -0 "$server_pid" 2>/dev/null || break
      sleep 1
    done
    if kill -0 "$server_pid" 2>/dev/null; then
      log "server did not stop within 60 s; killing it"
      kill -KILL "$server_pid" 2>/dev/null || true
      # The embedded PostgreSQL it started would outlive it.
      if [[ -f $data_dir/postgres/postmaster.pid ]]; then
        kill -INT "$(head -n 1 "$data_dir/postgres/postmaster.pid")" 2>/dev/null || true # fast shutdown
      fi
    fi
    wait "$server_pid" 2>/dev/null || true
  fi
  if [[ $status -ne 0 && -f $data_dir/server.log ]]; then
    log "last lines of the server log:"
    tail -n 40 "$data_dir/server.log" >&2 || true
  fi
  [[ -z $data_dir ]] || rm -rf "$data_dir"
  [[ -z ${results:-} || -s ${results:-} ]] || rm -f "$results"
}

start_server() { # starts $jar and waits until it is UP; stop_server runs when the script exits
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  data_dir=$(mktemp -d -t perimeter-bench-XXXXXX)
  admin_key=$(python3 -c 'import secrets; print(secrets.token_hex(32))')
  base="http://127.0.0.1:$port"
  trap stop_server EXIT
  trap 'exit 130' INT TERM

  log "starting $jar on port $port (data dir $data_dir, java $(java_major "$JAVA_HOME"))"
  # Local provider and embedded PostgreSQL: make sure the caller's environment does not point elsewhere.
  env -u SPRING_DATASOURCE_URL -u DATABASE_URL \
    PERIMETER_BOOTSTRAP_ADMIN_KEY="$admin_key" SANDBOX_PROVIDER=local \
    java -jar "$jar" --server.port="$port" --perimeter.data-dir="$data_dir" \
    >"$data_dir/server.log" 2>&1 &
  server_pid=$!

  log "waiting for $base/actuator/health"
  for _ in $(seq 1 180); do
    kill -0 "$server_pid" 2>/dev/null || die "server exited during start-up"
    if [[ $(curl -fsS "$base/actuator/health" 2>/dev/null | jq -r '.status' 2>/dev/null) == UP ]]; then
      break
    fi
    sleep 1
  done
  [[ $(curl -fsS "$base/actuator/health" | jq -r '.status') == UP ]] || die "server not UP after 180 s"
}

api() { # api METHOD PATH [JSON] -> body on stdout, as the admin; on a non-2xx status the body goes to stderr
  local method=$1 path=$2 body=${3:-} response
  if ! response=$(curl -sS --fail-with-body -X "$method" "$base$path" \
    -H "Authorization: Bearer $admin_key" -H 'Content-Type: application/json' -H 'Accept: application/json' \
    ${body:+--data "$body"}); then
    printf '%s %s failed: %s\n' "$method" "$path" "$response" >&2
    return 1
  fi
  printf '%s' "$response"
}

describe_commit() {
  local commit
  commit=$(git rev-parse --short HEAD 2>/dev/null) || { echo "unknown (no git commit)"; return; }
  git diff --quiet HEAD -- 2>/dev/null && echo "$commit" || echo "$commit + uncommitted changes"
}
