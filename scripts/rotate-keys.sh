#!/usr/bin/env bash
# Add or remove tenant API keys in the keys file and reload the running API.
#   scripts/rotate-keys.sh --add NEWCO:NEWKEY123 [--remove OLDKEY1] [--url URL] [--file FILE] [--no-reload]
# Needs API_ADMIN_KEY in the environment unless --no-reload. Relative --file paths are
# relative to the repository root.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
exec npm run --silent rotate-keys -- "$@"
