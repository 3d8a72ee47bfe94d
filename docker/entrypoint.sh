#!/bin/bash
# Entry point of the LLM Gateway image: kc.sh, after reading the extension's key-encryption key (KEK) from a file.
#
# LLM_GATEWAY_KEK_FILE names a file holding the KEK (base64 of 32 random bytes), normally a compose or Kubernetes
# secret mounted under /run/secrets. Its content is handed to Keycloak as the SPI option
# spi-llm-gateway--default--kek through the environment of the Keycloak process only: it is not part of the
# container's configuration, so `docker inspect`, `docker compose config` and `docker exec ... env` do not show it.
# Without LLM_GATEWAY_KEK_FILE this script is plain kc.sh (a KEK can then come from the environment or a vault).
set -euo pipefail

if [[ -n "${LLM_GATEWAY_KEK_FILE:-}" ]]; then
  if [[ ! -f "$LLM_GATEWAY_KEK_FILE" || ! -r "$LLM_GATEWAY_KEK_FILE" ]]; then
    echo "llm-gateway: LLM_GATEWAY_KEK_FILE=$LLM_GATEWAY_KEK_FILE is not a file this container's user ($(id -u)) can read." >&2
    echo "llm-gateway: create it with 'openssl rand -base64 32' and make it readable in the container (docker/README.md)." >&2
    exit 1
  fi
  kek="$(<"$LLM_GATEWAY_KEK_FILE")"
  if [[ -z "${kek//[[:space:]]/}" ]]; then
    echo "llm-gateway: $LLM_GATEWAY_KEK_FILE is empty; put the output of 'openssl rand -base64 32' in it." >&2
    exit 1
  fi
  export KC_SPI_LLM_GATEWAY__DEFAULT__KEK="$kek"
  unset kek LLM_GATEWAY_KEK_FILE
fi

# exec: kc.sh stays PID 1 and receives the container's stop signal (Keycloak warns otherwise).
exec /opt/keycloak/bin/kc.sh "$@"
