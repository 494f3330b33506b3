#!/bin/sh
# The dashboard's charting library: Chart.js (UMD build, 0.2 MB; the full Plotly bundle of
# the plotly Python package was 4.8 MB and took ~1.8 s to load, its partial "basic" bundle
# 1.2 MB and ~0.3 s of script evaluation alone). Taken from the npm registry package
# chart.js, checked against its published integrity, and committed under
# src/urbanmine/insight/static/insight/vendor/ so the installed package serves it offline
# (no CDN). MIT licence (chart.js.LICENSE.md beside it).
# Usage: sh scripts/vendor_chartjs.sh   (needs npm and openssl; run again only to upgrade)
set -eu
VERSION=4.6.1
INTEGRITY="sha512-hJyniucsFmq//EvXYvJ6c6mahPoI3kaxdjVH8awTaJ/fDNWeSqqqArixMJWkWNN6fcYvPU3HneSANFNYtRi61g=="
OUT="$(cd "$(dirname "$0")/.." && pwd)/src/urbanmine/insight/static/insight/vendor"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
cd "$TMP"
npm pack "chart.js@$VERSION" --silent >/dev/null
GOT="sha512-$(openssl dgst -sha512 -binary "chart.js-$VERSION.tgz" | base64 -w0)"
[ "$GOT" = "$INTEGRITY" ] || { echo "integrity mismatch: $GOT" >&2; exit 1; }
tar xzf "chart.js-$VERSION.tgz"
mkdir -p "$OUT"
# without the source-map comment: the map is not shipped (collectstatic would look for it)
sed "/sourceMappingURL=/d" package/dist/chart.umd.min.js > "$OUT/chart.umd.min.js"
cp package/LICENSE.md "$OUT/chart.js.LICENSE.md"
echo "chart.js $VERSION -> $OUT"
