#!/usr/bin/env bash
# Create the CURVE certificates of deploy/stack.yaml and store them as
# Docker secrets (run it on a Swarm manager, before `docker stack deploy`):
#   ddc_broker_cert / ddc_broker_key     the broker's pair (ddc-ctl keygen --broker-key)
#   ddc_agent_cert  / ddc_agent_key      role docker, for the agent on every node
#   ddc_web_cert    / ddc_web_key        role web, instances web-* (web-1, web-2...)
#   ddc_discord_cert/ ddc_discord_key    role discord, instance main
#   ddc_health_cert / ddc_health_key     role monitor (read-only), any instance:
#                                        the containers' health checks
# The agent certificate may register only the host names of the nodes in
# the swarm now (docker node ls); --any-node writes "*" instead, so nodes
# added later need no new certificate, at the price that any node's agent
# may also take another node's name. Usage:
#   deploy/swarm-certs.sh [--any-node] [--image IMAGE] [--keep DIR]
# IMAGE (default $DDC_IMAGE or ddc:latest) runs ddc-ctl keygen. The secret
# keys exist only in a private temporary folder while the secrets are made,
# unless --keep DIR keeps a copy there (mode 0700). Existing ddc_* secrets
# are never replaced: remove the stack and them first.
set -euo pipefail

IMAGE=${DDC_IMAGE:-ddc:latest}
ANY_NODE=0
KEEP=""
while [ $# -gt 0 ]; do
    case "$1" in
        --any-node) ANY_NODE=1 ;;
        --image) IMAGE=${2:?--image needs a value}; shift ;;
        --keep) KEEP=${2:?--keep needs a folder}; shift ;;
        -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
        *) echo "swarm-certs: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done

NAMES=(broker agent web discord health)
for n in "${NAMES[@]}"; do
    for kind in cert key; do
        if docker secret inspect "ddc_${n}_${kind}" >/dev/null 2>&1; then
            echo "swarm-certs: the secret ddc_${n}_${kind} exists already; remove the stack" \
                 "and the ddc_* secrets first (docker secret rm ...)" >&2
            exit 1
        fi
    done
done

if [ "$ANY_NODE" = 1 ]; then
    nodes='*'
else
    nodes=$(docker node ls --format '{{.Hostname}}' | sort -u | paste -sd, -)
    [ -n "$nodes" ] || { echo "swarm-certs: no nodes (is this a Swarm manager?)" >&2; exit 1; }
fi

dir=$(mktemp -d /tmp/ddc-swarm-certs.XXXXXX)
trap 'rm -rf "$dir"' EXIT
chmod 700 "$dir"
keygen() {
    docker run --rm --network none -e PUID="$(id -u)" -e PGID="$(id -g)" -v "$dir:/keys" \
        "$IMAGE" ctl keygen "$@" --dir /keys >/dev/null
}
keygen --broker-key
keygen agent --role docker --instances "$nodes"
keygen web --role web --instances 'web-*'
keygen discord --role discord --instances main
keygen health --role monitor --instances '*'

for n in "${NAMES[@]}"; do
    docker secret create ddc_${n}_cert "$dir/$n.cert" >/dev/null
    docker secret create ddc_${n}_key "$dir/$n.cert_secret" >/dev/null
done
if [ -n "$KEEP" ]; then
    mkdir -p "$KEEP"
    chmod 700 "$KEEP"
    cp -p "$dir"/* "$KEEP"/
fi
echo "swarm-certs: created ddc_NAME_cert and ddc_NAME_key for ${NAMES[*]};" \
     "the agents may register as: $nodes"
