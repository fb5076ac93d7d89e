#!/usr/bin/env bash
# A private Dovecot IMAP server for Portier's e-mail tests, on loopback, beside (never instead of)
# the system's own Dovecot: its own config file, run, state and log directories and Maildirs, all
# under BASE_DIR. It needs Debian's dovecot-imapd (Dovecot 2.3) and root, because Dovecot starts as
# root and drops to the `mail` user for mailbox access (it refuses to serve mail as uid 0).
#
#   scripts/dovecot-test-server.sh start [BASE_DIR] [PORT]   # idempotent; returns once IMAP answers
#   scripts/dovecot-test-server.sh stop  [BASE_DIR]
#   scripts/dovecot-test-server.sh status [BASE_DIR] [PORT]
#
# Defaults: BASE_DIR=/tmp/portier-dovecot, PORT=10143 (or $PORTIER_TEST_IMAP_PORT).
#
# Accounts: any user name logs in with the password "portier-test" (a static passdb), and gets its
# own empty Maildir on first login. Tests therefore use a fresh user name each, and need no setup
# step to add one; a wrong password is still refused with [AUTHENTICATIONFAILED].
# Plaintext LOGIN is allowed because the server listens on 127.0.0.1 only and has no TLS.
# IDLE and CONDSTORE are built into Dovecot's imap and advertised without plugins.
set -euo pipefail

cmd=${1:-start}
BASE=${2:-/tmp/portier-dovecot}
PORT=${3:-${PORTIER_TEST_IMAP_PORT:-10143}}
PASSWORD=portier-test
MAIL_USER=mail
DOVECOT=$(command -v dovecot || echo /usr/sbin/dovecot)

die() { echo "dovecot-test-server: $*" >&2; exit 1; }

port_answers() {
  # Bash's /dev/tcp: no netcat needed. A Dovecot greeting starts with "* OK".
  timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$PORT && head -c 4 <&3" 2>/dev/null | grep -q '^\* OK'
}

write_config() {
  mkdir -p "$BASE/run" "$BASE/state" "$BASE/home"
  local uid gid
  uid=$(id -u "$MAIL_USER") gid=$(id -g "$MAIL_USER")
  chown "$MAIL_USER:$MAIL_USER" "$BASE/home"
  cat >"$BASE/dovecot.conf" <<EOF
# Written by scripts/dovecot-test-server.sh; private to Portier's tests.
instance_name = portier-test-$PORT
base_dir = $BASE/run
state_dir = $BASE/state
log_path = $BASE/dovecot.log
info_log_path = $BASE/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
login_trusted_networks = 127.0.0.0/8

passdb {
  driver = static
  args = password=$PASSWORD
}
userdb {
  driver = static
  args = uid=$uid gid=$gid home=$BASE/home/%n
}
first_valid_uid = $uid
first_valid_gid = $gid
mail_location = maildir:~/Maildir
mail_fsync = never

namespace inbox {
  inbox = yes
  separator = /
  mailbox Sent {
    special_use = \\Sent
    auto = create
  }
}

service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $PORT
  }
  inet_listener imaps {
    port = 0
  }
  process_min_avail = 1
}
service imap {
  process_limit = 200
}
# Tests open many connections from one address for one user (sync, APPEND, IDLE at once).
mail_max_userip_connections = 100
protocol imap {
  mail_max_userip_connections = 100
  imap_idle_notify_interval = 1 mins
}
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
# No pop3/lmtp/stats listeners that could collide with the system's own Dovecot.
service stats {
  unix_listener stats-reader {
    mode = 0600
  }
  unix_listener stats-writer {
    mode = 0600
  }
}
EOF
}

start() {
  [ -x "$DOVECOT" ] || die "dovecot is not installed (Debian: apt-get install dovecot-imapd)"
  [ "$(id -u)" = 0 ] || die "must run as root (Dovecot drops to the '$MAIL_USER' user itself)"
  if port_answers; then echo "Dovecot already answers on 127.0.0.1:$PORT"; return 0; fi
  mkdir -p "$BASE"
  # Two test processes may start it at once: one of them does, the other waits for the port.
  exec 9>"$BASE/.start.lock"
  flock 9
  if port_answers; then echo "Dovecot already answers on 127.0.0.1:$PORT"; return 0; fi
  write_config
  "$DOVECOT" -c "$BASE/dovecot.conf" || { tail -20 "$BASE/dovecot.log" >&2 2>/dev/null; die "dovecot failed to start; see $BASE/dovecot.log"; }
  for _ in $(seq 1 100); do
    if port_answers; then echo "Dovecot $("$DOVECOT" --version | cut -d' ' -f1) answers on 127.0.0.1:$PORT (base $BASE, password '$PASSWORD' for any user)"; return 0; fi
    sleep 0.1
  done
  tail -20 "$BASE/dovecot.log" >&2 2>/dev/null || true
  die "Dovecot started but 127.0.0.1:$PORT does not answer; see $BASE/dovecot.log"
}

stop() {
  [ -f "$BASE/dovecot.conf" ] || { echo "no private Dovecot under $BASE"; return 0; }
  "$DOVECOT" -c "$BASE/dovecot.conf" stop 2>/dev/null || true
  for _ in $(seq 1 50); do [ -e "$BASE/run/master.pid" ] || break; sleep 0.1; done
  echo "stopped the private Dovecot under $BASE"
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  status) if port_answers; then echo "running on 127.0.0.1:$PORT"; else echo "not running on 127.0.0.1:$PORT"; exit 1; fi ;;
  *) die "usage: $0 start|stop|status [BASE_DIR] [PORT]" ;;
esac
