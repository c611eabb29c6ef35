#!/usr/bin/env bash
# Onboard, change, suspend, resume and erase tenants through the admin API; show their usage.
#   scripts/tenants.sh create ACME --plan pro --mint [--display-name "Acme Roofing"] [--url URL]
#   scripts/tenants.sh list | show ACME | plan ACME pro | suspend ACME | resume ACME
#   scripts/tenants.sh usage ACME [--reset] | audit [ACME] [--limit N] | erase ACME --yes
# Needs API_ADMIN_KEY in the environment.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
exec npm run --silent tenants -- "$@"
