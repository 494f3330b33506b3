#!/bin/sh
# The page frame's design system: NL Design System, as the Utrecht component library's CSS
# (element styles for semantic HTML in html.css, components such as page header, skip link,
# breadcrumbs, alerts and tables in index.css) and the NL Design System example theme's design
# tokens, which urbanmine's own theme (core/static/urbanmine/theme.css) overrides with the
# platform's colours and the system font. Taken from the npm registry, checked against the
# published integrity, and committed under src/urbanmine/core/static/nlds/ so the installed
# package serves them offline and the two README commands need no Node.js (ADR 0009).
# Both packages: EUPL-1.2 (licence files beside them).
# Usage: sh scripts/vendor_nlds.sh   (needs npm and openssl; run again only to upgrade)
set -eu
OUT="$(cd "$(dirname "$0")/.." && pwd)/src/urbanmine/core/static/nlds"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
cd "$TMP"
fetch() { # package version integrity -> unpacked into ./$4
  npm pack "$1@$2" --silent >/dev/null
  TGZ="$(ls -- *.tgz)"
  GOT="sha512-$(openssl dgst -sha512 -binary "$TGZ" | base64 -w0)"
  [ "$GOT" = "$3" ] || { echo "integrity mismatch for $1: $GOT" >&2; exit 1; }
  mkdir -p "$4" && tar xzf "$TGZ" -C "$4" && rm -- "$TGZ"
}
fetch @utrecht/component-library-css 9.0.4 \
  "sha512-gVA7D6GfP9/+fzehkYLSBR+0UPUTA97PZmgvTYQE88lPQhHGMlUk8FjmCpLKRsRC9hAYd32JuF/KzG6fmBfjJA==" utrecht
fetch @nl-design-system-unstable/voorbeeld-design-tokens 7.4.1 \
  "sha512-GNnapAn2mTIzXRcCvs0JMr4Bf9+ivUJ3zFBJLRT1SYpAYm2xPwptVxIM3k4WLJ0c59E9FfxsEBPJluGuAHUVvg==" tokens
mkdir -p "$OUT"
cp utrecht/package/dist/html.css "$OUT/utrecht-html.css"
cp utrecht/package/dist/index.css "$OUT/utrecht-components.css"
cp tokens/package/dist/theme.css "$OUT/voorbeeld-theme.css"
cp utrecht/package/LICENSE.md "$OUT/LICENSE.md" 2>/dev/null || cp utrecht/package/LICENSE* "$OUT/LICENSE.md"
printf '%s\n' "@utrecht/component-library-css 9.0.4 (EUPL-1.2): utrecht-html.css, utrecht-components.css" \
  "@nl-design-system-unstable/voorbeeld-design-tokens 7.4.1 (EUPL-1.2): voorbeeld-theme.css" \
  "Fetched by scripts/vendor_nlds.sh from the npm registry, integrity checked." > "$OUT/VERSIONS.txt"
echo "NL Design System CSS -> $OUT"
