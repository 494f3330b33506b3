#!/bin/sh
# The dashboard's charting bundle: the *basic* partial bundle of plotly.js (scatter, bar,
# pie; 1.2 MB instead of the 4.8 MB full bundle of the plotly Python package), taken from
# the npm registry package plotly.js-basic-dist-min, checked against its published
# integrity, and committed under src/urbanmine/insight/static/insight/vendor/ so the
# installed package serves it offline (no CDN). MIT licence (LICENSE beside it).
# Usage: sh scripts/vendor_plotly_basic.sh   (needs npm; run again only to upgrade)
set -eu
VERSION=4.1.1
INTEGRITY="sha512-1oNF8PeQx2hv/y7tqEVWKD3JGwn/MGEMQ8mL9HUwsaqG9FGy/OU5FHUHvzqbqxN4mnwZGI9abTiE775C4kkjMQ=="
OUT="$(cd "$(dirname "$0")/.." && pwd)/src/urbanmine/insight/static/insight/vendor"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
cd "$TMP"
npm pack "plotly.js-basic-dist-min@$VERSION" --silent >/dev/null
GOT="sha512-$(openssl dgst -sha512 -binary "plotly.js-basic-dist-min-$VERSION.tgz" | base64 -w0)"
[ "$GOT" = "$INTEGRITY" ] || { echo "integrity mismatch: $GOT" >&2; exit 1; }
tar xzf "plotly.js-basic-dist-min-$VERSION.tgz"
mkdir -p "$OUT"
cp package/plotly-basic.min.js "$OUT/plotly-basic.min.js"
cp package/LICENSE "$OUT/plotly-basic.LICENSE"
echo "plotly.js-basic-dist-min $VERSION -> $OUT"
