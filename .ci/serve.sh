#!/usr/bin/env bash
# Serves the viewer at http://127.0.0.1:${PORT:-8080}/ with the bundled sample trace open. Installs what it needs.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$ROOT/.ci/setup.sh"
cd "$ROOT"
exec trunk serve --release --no-autoreload --address 127.0.0.1 --port "${PORT:-8080}"
