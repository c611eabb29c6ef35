#!/usr/bin/env bash
# Smoke-test a running CustomerOps deployment in under a minute; exits 1 when any check fails.
#   scripts/verify_production_ready.sh [--url URL] [--admin-key KEY] [--tenant-key KEY]
#                                      [--metrics-token TOKEN] [--cors-origin ORIGIN]
# Keys default to API_ADMIN_KEY, API_KEY_EXPERTCO and METRICS_TOKEN from the environment.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
exec npm run --silent verify -- "$@"
