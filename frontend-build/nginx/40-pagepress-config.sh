#!/bin/sh
# Writes the deploy-time settings of the PagePress web app, so one image serves
# any environment without a rebuild:
#   API_ORIGIN  origin of the PagePress API, e.g. https://api.pagepress.example
#               (empty: the API is on the same origin as the app)
#   FILES_ORIGIN  origin of the short-lived file links (the S3 bucket), whose
#               thumbnails the list shows (empty: the same origin, as under make run)
# Output (in /tmp so the root filesystem can stay read-only):
#   /tmp/pagepress/config.js  loaded by index.html before the bundle
#   /tmp/pagepress/csp.conf   the Content-Security-Policy, whose connect-src
#                             allows only this origin and API_ORIGIN
set -eu

out="${PAGEPRESS_CONFIG_DIR:-/tmp/pagepress}"
origin="${API_ORIGIN:-}"
origin="${origin%/}"

if [ -n "$origin" ] && ! printf '%s' "$origin" | grep -Eq '^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?$'; then
    echo "40-pagepress-config: API_ORIGIN must be an origin like https://api.example.com, got: $origin" >&2
    exit 1
fi

files="${FILES_ORIGIN:-}"
files="${files%/}"
if [ -n "$files" ] && ! printf '%s' "$files" | grep -Eq '^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?$'; then
    echo "40-pagepress-config: FILES_ORIGIN must be an origin like https://bucket.s3.eu-west-1.amazonaws.com, got: $files" >&2
    exit 1
fi
images="'self' data:${files:+ $files}"

mkdir -p "$out"

if [ -n "$origin" ]; then
    printf 'window.__PAGEPRESS_CONFIG__ = { "apiOrigin": "%s" };\n' "$origin" > "$out/config.js"
    connect="'self' $origin"
else
    printf 'window.__PAGEPRESS_CONFIG__ = {};\n' > "$out/config.js"
    connect="'self'"
fi

csp="default-src 'self'; script-src 'self'; style-src 'self'; img-src $images; font-src 'self'; connect-src $connect; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
printf 'set $pagepress_csp "%s";\n' "$csp" > "$out/csp.conf"

echo "40-pagepress-config: API origin: ${origin:-same origin}"
