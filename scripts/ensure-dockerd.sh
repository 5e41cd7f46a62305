#!/usr/bin/env bash
# Make sure a Docker engine answers on /var/run/docker.sock and that the local
# image `ddc-busybox` (a busybox-only rootfs, no registry needed) exists.
# Exit 0 when both hold; otherwise exit 1 with a one-line reason on stderr.
#
# Sandbox notes (verified on the project's Debian bookworm machine, docker.io
# 20.10 daemon with a 28.x client, which negotiates API 1.41):
#  - No engine runs here by default: we start `dockerd` ourselves in the
#    background, its log in /tmp/ddc-dockerd.log and its PID in
#    /tmp/ddc-dockerd.pid (stop it with: kill "$(cat /tmp/ddc-dockerd.pid)").
#  - A plain `dockerd` works, but it creates the docker0 bridge on
#    172.17.0.0/16, sets the host's iptables FORWARD policy to DROP and
#    turns on ip_forward. None of that is needed (ddc only drives containers
#    through the API) and a private-range bridge is not wanted on this
#    machine, so we start it with --bridge=none --iptables=false
#    --ip-forward=false: containers then default to network "none" (only
#    lo), and `docker run --rm ddc-busybox echo hi` works (~0.3 s).
#  - Storage driver overlay2 works on the host's ext4 root.
#  - No registry is reachable, so the image is made with `docker import`
#    from a rootfs holding Debian's static busybox (package busybox-static).
set -euo pipefail

SOCK=/var/run/docker.sock
LOG=/tmp/ddc-dockerd.log
PIDFILE=/tmp/ddc-dockerd.pid
IMAGE=ddc-busybox

fail() { echo "ensure-dockerd: $*" >&2; exit 1; }

ping_ok() { curl -sf --max-time 2 --unix-socket "$SOCK" http://d/_ping >/dev/null 2>&1; }

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || fail "not root and no sudo"
    SUDO=(sudo)
fi

if ! ping_ok; then
    command -v dockerd >/dev/null 2>&1 || PATH=$PATH:/usr/sbin:/sbin
    command -v dockerd >/dev/null 2>&1 || fail "dockerd not installed (run scripts/deps.sh)"
    command -v curl >/dev/null 2>&1 || fail "curl not installed (run scripts/deps.sh)"
    # A dockerd we started earlier may still be coming up: give it the wait.
    started=0
    if [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null \
        && grep -q dockerd "/proc/$(cat "$PIDFILE")/cmdline" 2>/dev/null; then
        started=1
    fi
    # A dockerd killed hard (e.g. when a session's processes are ended) leaves
    # /var/run/docker.pid behind on this disk-backed /run, and a new dockerd
    # then refuses to start: drop the file when no live dockerd owns it. The
    # same for the containerd that dockerd manages.
    for pf in /var/run/docker.pid /var/run/docker/containerd/containerd.pid; do
        if [ -f "$pf" ]; then
            opid=$(cat "$pf" 2>/dev/null || true)
            if [ -z "$opid" ] || ! kill -0 "$opid" 2>/dev/null \
                || ! grep -qE 'dockerd|containerd' "/proc/$opid/comm" 2>/dev/null; then
                "${SUDO[@]}" rm -f "$pf"
            elif [ "$pf" = /var/run/docker.pid ]; then
                started=1   # a live dockerd that does not answer yet: wait for it
                echo "$opid" >"$PIDFILE"
            fi
        fi
    done
    if [ "$started" = 0 ]; then
        # setsid + nohup: the daemon outlives this script and the CI step.
        "${SUDO[@]}" setsid nohup dockerd --bridge=none --iptables=false \
            --ip-forward=false >"$LOG" 2>&1 </dev/null &
        echo $! >"$PIDFILE"
    fi
    for _ in $(seq 1 60); do
        ping_ok && break
        if ! kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
            fail "dockerd exited: $(tail -n 1 "$LOG" 2>/dev/null)"
        fi
        sleep 0.5
    done
    ping_ok || fail "dockerd did not answer $SOCK within 30 s (see $LOG)"
fi

command -v docker >/dev/null 2>&1 || fail "docker client not installed (run scripts/deps.sh)"

if ! docker image inspect "$IMAGE" >/dev/null 2>&1; then
    [ -x /bin/busybox ] || fail "/bin/busybox missing (install busybox-static)"
    root=$(mktemp -d /tmp/ddc-busybox-root.XXXXXX)
    trap 'rm -rf "$root"' EXIT
    mkdir -p "$root/bin" "$root/tmp" "$root/etc" "$root/proc" "$root/sys" "$root/dev"
    cp /bin/busybox "$root/bin/busybox"
    for app in sh sleep ls cat echo httpd top true false ps kill env wget \
        printf date hostname id mkdir rm touch grep sed; do
        ln -s busybox "$root/bin/$app"
    done
    echo 'root:x:0:0:root:/:/bin/sh' >"$root/etc/passwd"
    echo 'root:x:0:' >"$root/etc/group"
    tar -C "$root" -c . | docker import -c 'CMD ["/bin/sh"]' \
        -c 'ENV PATH=/bin' - "$IMAGE" >/dev/null \
        || fail "docker import of $IMAGE failed"
fi

docker image inspect "$IMAGE" >/dev/null 2>&1 || fail "image $IMAGE missing after import"
echo "ensure-dockerd: daemon up, image $IMAGE present"
