#!/usr/bin/env bash
# A bearer token (RS256 JWT) for a stack that verifies tokens with the public half of KEY: by default the compose
# stack's local-development key (deploy/compose/dev-auth, not a secret). The role is ham-operator (submit, cancel,
# read) or ham-viewer (read); issuer ham-kafka. Only openssl is needed.
#
#   bash scripts/dev-token.sh [--key FILE] [--role ham-operator|ham-viewer] [--hours N]
#   curl -H "Authorization: Bearer $(bash scripts/dev-token.sh)" http://localhost:8080/jobs
#
# The local stack (scripts/run.sh) makes its own key pair per run and writes its token to <out>/api-token.
set -euo pipefail
cd "$(dirname "$0")/.."
key=deploy/compose/dev-auth/private.pem role=ham-operator hours=12
while [ $# -gt 0 ]; do
  case "$1" in
    --key) key=$2; shift 2 ;;
    --role) role=$2; shift 2 ;;
    --hours) hours=$2; shift 2 ;;
    -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "dev-token: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
case "$role" in ham-operator|ham-viewer) ;; *) echo "dev-token: --role is ham-operator or ham-viewer, got '$role'" >&2; exit 2 ;; esac
case "$hours" in ''|*[!0-9]*) echo "dev-token: --hours is a whole number, got '$hours'" >&2; exit 2 ;; esac
[ -r "$key" ] || { echo "dev-token: cannot read the private key $key" >&2; exit 2; }
b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }
now=$(date +%s)
header=$(printf '{"alg":"RS256","typ":"JWT"}' | b64url)
payload=$(printf '{"iss":"ham-kafka","sub":"dev","upn":"dev","iat":%d,"exp":%d,"groups":["%s"]}' \
  "$now" "$((now + hours * 3600))" "$role" | b64url)
signature=$(printf '%s.%s' "$header" "$payload" | openssl dgst -sha256 -sign "$key" -binary | b64url)
printf '%s.%s.%s\n' "$header" "$payload" "$signature"
