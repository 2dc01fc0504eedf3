#!/usr/bin/env bash
# Installs the dindex daemon as a systemd service (deploy/systemd/dindex.service). Run as root from a release
# (it takes lib/dindex.jar) or from a checkout:
#
#   mvn -B -DskipTests package            # in a checkout: builds target/dindex.jar (or: bin/dindex --version)
#   sudo deploy/systemd/install.sh [--jar PATH] [--java-home DIR] [--dry-run]
#
# Idempotent: running it again changes only what differs (and restarts the service when the jar or unit changed).
# Never overwrites /etc/dindex/dindex.yaml or /etc/dindex/dindex.env once they exist. Prints every step; with
# --dry-run it only prints them (and needs no root).
set -euo pipefail

here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
repo=$(cd "$here/../.." && pwd)

USER_NAME=dindex
PREFIX=/opt/dindex
UNIT_DIR=/etc/systemd/system
CONF_DIR=/etc/dindex

args=("$@")
jar="$repo/target/dindex.jar"
[ -f "$repo/lib/dindex.jar" ] && jar="$repo/lib/dindex.jar"   # in a release (bin/release): lib/ beside deploy/
java_home=""
dry_run=0
while [ $# -gt 0 ]; do
  case "$1" in
    --jar) jar=${2:?--jar needs a path}; shift 2 ;;
    --java-home) java_home=${2:?--java-home needs a folder}; shift 2 ;;
    --dry-run) dry_run=1; shift ;;
    -h|--help) sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "install.sh: unknown option $1 (try --help)" >&2; exit 2 ;;
  esac
done

say() { printf 'install.sh: %s\n' "$*"; }
die() { printf 'install.sh: %s\n' "$*" >&2; exit 1; }
# Every change to the system goes through run: printed, then done unless --dry-run.
run() {
  printf '+'; printf ' %q' "$@"; printf '\n'
  [ "$dry_run" = 1 ] || "$@"
}

if [ "$dry_run" = 0 ] && [ "$(id -u)" != 0 ]; then
  die "must run as root (it creates a system user and writes to $PREFIX, $CONF_DIR and $UNIT_DIR): sudo $0 ${args[*]:-}"
fi

# --- inputs
[ -f "$jar" ] || die "no jar at $jar: build it first with 'mvn -B -DskipTests package' in $repo, or pass --jar PATH"
unit_src="$here/dindex.service"
conf_src="$repo/conf/dindex.yaml"
[ -f "$unit_src" ] || die "missing $unit_src"
[ -f "$conf_src" ] || die "missing $conf_src"

java_major() { # $1 = a Java home; prints its feature version, or nothing
  [ -x "$1/bin/java" ] || return 0
  local v
  v=$("$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' | head -1)
  echo "${v%%.*}"
}
ok_java() { local m; m=$(java_major "$1"); [ -n "$m" ] && [ "$m" -ge 21 ]; }
pick_java() {
  local d best="" bestv=0 m
  if [ -n "$java_home" ]; then   # an explicit --java-home must be 21+: no fallback
    ok_java "$java_home" && { readlink -f "$java_home"; return 0; }
    return 1
  fi
  if [ -n "${JAVA_HOME:-}" ] && ok_java "$JAVA_HOME"; then readlink -f "$JAVA_HOME"; return 0; fi
  for d in /usr/lib/jvm/*/; do
    d=${d%/}
    [ -L "$d" ] && continue
    m=$(java_major "$d")
    if [ -n "$m" ] && [ "$m" -ge 21 ] && [ "$m" -gt "$bestv" ]; then best=$d; bestv=$m; fi
  done
  [ -n "$best" ] && { echo "$best"; return 0; }
  if command -v java >/dev/null 2>&1; then
    d=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
    ok_java "$d" && { echo "$d"; return 0; }
  fi
  return 1
}
jhome=$(pick_java) || die "needs a Java 21+ runtime (25 recommended), found none${java_home:+ at $java_home}: install one (e.g. 'apt-get install openjdk-21-jre-headless' or Temurin 25) or pass --java-home DIR"
say "jar $jar"
say "java $jhome (Java $(java_major "$jhome"))"

changed=0
# install_file SRC DEST MODE: copies when missing or different.
install_file() {
  if [ -f "$2" ] && cmp -s "$1" "$2"; then
    say "unchanged $2"
  else
    run install -D -o root -g root -m "$3" "$1" "$2"
    changed=1
  fi
}

# --- user
if getent passwd "$USER_NAME" >/dev/null; then
  say "user $USER_NAME exists"
else
  run useradd --system --user-group --home-dir /var/lib/dindex --no-create-home --shell /usr/sbin/nologin \
    --comment "dindex daemon" "$USER_NAME"
fi

# --- program: jar, Java link, CLI wrapper
install_file "$jar" "$PREFIX/dindex.jar" 0644
# Hazelcast, for clustering: the jar's manifest names dindex-cluster.jar beside it (a single daemon needs none).
if [ -f "$(dirname "$jar")/dindex-cluster.jar" ]; then
  install_file "$(dirname "$jar")/dindex-cluster.jar" "$PREFIX/dindex-cluster.jar" 0644
fi
if [ "$(readlink "$PREFIX/java" 2>/dev/null || true)" = "$jhome" ]; then
  say "unchanged $PREFIX/java -> $jhome"
else
  run mkdir -p "$PREFIX"
  run ln -sfn "$jhome" "$PREFIX/java"
  changed=1
fi
wrapper=$(mktemp)
trap 'rm -f "$wrapper"' EXIT
cat > "$wrapper" <<'WRAPPER'
#!/bin/sh
# dindex CLI for the system service: run it as the dindex user (the socket's folder is 0700), e.g.
#   sudo -u dindex /opt/dindex/bin/dindex search "query"
DINDEX_DATA_DIR=/var/lib/dindex DINDEX_SOCKET=/run/dindex/dindex.sock DINDEX_CONFIG=/etc/dindex/dindex.yaml \
DINDEX_NO_AUTOSTART=1 exec /opt/dindex/java/bin/java --enable-native-access=ALL-UNNAMED -jar /opt/dindex/dindex.jar "$@"
WRAPPER
install_file "$wrapper" "$PREFIX/bin/dindex" 0755

# --- configuration: installed once, then the administrator's
if [ -e "$CONF_DIR/dindex.yaml" ]; then
  say "keeping $CONF_DIR/dindex.yaml"
else
  run install -D -o root -g root -m 0644 "$conf_src" "$CONF_DIR/dindex.yaml"
fi
if [ -e "$CONF_DIR/dindex.env" ]; then
  say "keeping $CONF_DIR/dindex.env"
else
  printf '%s\n' '# Environment for dindex.service (read by systemd as root; keep it 0600).' \
    '# DINDEX_HTTP_API_KEYS=a-long-random-key' \
    '# DINDEX_JAVA_OPTS=-Xmx4g' > "$wrapper"
  run install -D -o root -g root -m 0600 "$wrapper" "$CONF_DIR/dindex.env"
fi

# --- unit
install_file "$unit_src" "$UNIT_DIR/dindex.service" 0644

# --- start
if [ "$dry_run" = 0 ] && [ ! -d /run/systemd/system ]; then
  die "systemd is not running on this machine: files are installed; start the service where systemd runs"
fi
was_active=0
if [ "$dry_run" = 0 ] && systemctl is-active --quiet dindex; then was_active=1; fi
run systemctl daemon-reload
run systemctl enable --now dindex
if [ "$was_active" = 1 ] && [ "$changed" = 1 ]; then
  run systemctl restart dindex
fi
say "done. Status: systemctl status dindex; logs: journalctl -u dindex -f"
say "CLI: sudo -u $USER_NAME $PREFIX/bin/dindex status"
