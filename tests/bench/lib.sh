# shellcheck shell=bash disable=SC2034,SC2154
# (it sets variables for its callers and reads their $work)
# tests/bench/lib.sh - what run.sh and profile.sh share: messages, /proc
# readings, arithmetic and an nginx of their own on 127.0.0.1. Sourced, not
# run; the caller sets $work (a temporary folder it removes) before
# start_nginx, and stops nginx with stop_nginx.

say() { printf 'bench: %s\n' "$*" >&2; }
die() {
    printf 'bench: %s\n' "$*" >&2
    exit 1
}

# calc EXPR [FORMAT] : floating point arithmetic (awk), e.g. calc "3 / 7" "%.3f".
# EXPR is in parentheses so that a comparison's > is not printf's redirection.
calc() { awk "BEGIN { printf \"${2:-%.2f}\", ($1) }"; }

# cpu_ticks PID... : user+system clock ticks the processes have used so far
# (fields 14 and 15 of /proc/PID/stat; for a process, all its threads').
cpu_ticks() {
    local total=0 pid stat
    local -a f
    for pid in "$@"; do
        stat=$(cat "/proc/$pid/stat" 2>/dev/null) || continue
        read -r -a f <<<"${stat##*) }" # from field 3 (state) on
        total=$((total + f[11] + f[12]))
    done
    echo "$total"
}

# machine_ticks : "IDLE TOTAL" clock ticks of all CPUs since boot (/proc/stat).
machine_ticks() {
    local -a f
    read -r -a f </proc/stat # cpu user nice system idle iowait irq softirq steal ...
    echo "$((f[4] + f[5])) $((f[1] + f[2] + f[3] + f[4] + f[5] + f[6] + f[7] + f[8]))"
}

# children PID : the processes whose parent is PID (nginx's workers).
children() {
    local path stat
    local -a f
    for path in /proc/[0-9]*/stat; do
        stat=$(cat "$path" 2>/dev/null) || continue
        read -r -a f <<<"${stat##*) }"
        if [ "${f[1]}" = "$1" ]; then
            path=${path#/proc/}
            echo "${path%/stat}"
        fi
    done
}

# vmrss_kb PID : the process's resident set now (VmRSS, KiB); empty once it
# has gone.
vmrss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || true; }

# raise_nofile WANT : raises this shell's soft (and, when it may, hard) limit
# on open files to WANT, so that the processes it starts inherit it (call it
# in the shell itself, not in $(...)). A limit that is already higher is kept;
# `ulimit -Sn` says what it got.
raise_nofile() {
    local want=$1 hard
    if [ "$(ulimit -Sn)" = unlimited ] || [ "$(ulimit -Sn)" -ge "$want" ]; then
        return 0
    fi
    hard=$(ulimit -Hn)
    # Only root (CAP_SYS_RESOURCE) may raise the hard limit.
    if [ "$hard" != unlimited ] && [ "$hard" -lt "$want" ]; then
        ulimit -Hn "$want" 2>/dev/null || true
        hard=$(ulimit -Hn)
    fi
    if [ "$hard" = unlimited ] || [ "$hard" -ge "$want" ]; then
        ulimit -Sn "$want"
    else
        ulimit -Sn "$hard"
    fi
}

# start_nginx NOFILE : an nginx of its own on a free port of 127.0.0.1, its
# configuration and files in $work/nginx, `worker_processes auto`, each worker
# allowed NOFILE open files and NOFILE/2 connections. Serves
#   /ping.txt   5 bytes, no access log
#   /idle.txt   the same, each request logged to $nginx_dir/idle.log
#   /after.txt  the same, each request logged to $nginx_dir/after.log
# (the two logs let run.sh see when customers reached a point of their
# rehearsal). Sets nginx_master, nginx_workers (array), nginx_base
# (http://127.0.0.1:PORT), nginx_url (its /ping.txt), nginx_dir,
# nginx_connections.
nginx_master=
start_nginx() {
    local nofile=$1 dir=$work/nginx port conf body
    nginx_dir=$dir
    nginx_connections=$((nofile / 2))
    mkdir -p "$dir/www" "$dir/tmp"
    local f
    for f in ping idle after; do printf 'pong\n' >"$dir/www/$f.txt"; done
    # The workers drop to an unprivileged user when started as root.
    chmod 755 "$work" "$dir" "$dir/www"
    chmod 644 "$dir"/www/*.txt
    for _ in $(seq 20); do
        port=$((20000 + RANDOM % 30000))
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && continue # taken
        conf=$dir/nginx.conf
        cat >"$conf" <<EOF
worker_processes auto;
worker_rlimit_nofile $nofile;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections $nginx_connections; }
http {
    access_log off;
    default_type text/plain;
    keepalive_requests 100000000;
    keepalive_timeout 300s;
    client_body_temp_path $dir/tmp/body;
    proxy_temp_path $dir/tmp/proxy;
    fastcgi_temp_path $dir/tmp/fastcgi;
    uwsgi_temp_path $dir/tmp/uwsgi;
    scgi_temp_path $dir/tmp/scgi;
    server {
        listen 127.0.0.1:$port backlog=8192;
        root $dir/www;
        location = /idle.txt { access_log $dir/idle.log; }
        location = /after.txt { access_log $dir/after.log; }
    }
}
EOF
        if nginx -p "$dir" -c "$conf" -e "$dir/error.log" 2>>"$dir/start.err"; then
            nginx_master=$(cat "$dir/nginx.pid")
            nginx_base=http://127.0.0.1:$port
            nginx_url=$nginx_base/ping.txt
            body=$(curl -sS --max-time 5 "$nginx_url") || die "nginx does not answer on $nginx_url"
            [ "$body" = pong ] || die "nginx answers '$body' on $nginx_url"
            mapfile -t nginx_workers < <(children "$nginx_master")
            [ ${#nginx_workers[@]} -gt 0 ] || die "nginx has no workers"
            return 0
        fi
    done
    cat "$dir/start.err" >&2
    die "nginx could not start"
}

stop_nginx() {
    if [ -n "$nginx_master" ] && kill -0 "$nginx_master" 2>/dev/null; then
        kill -QUIT "$nginx_master" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$nginx_master" 2>/dev/null || break; sleep 0.1; done
    fi
}
