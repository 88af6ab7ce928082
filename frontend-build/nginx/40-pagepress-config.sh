#!/bin/sh
# Writes the deploy-time settings of the PagePress web app, so one image serves
# any environment without a rebuild:
#   API_ORIGIN  origin of the PagePress API, e.g. https://api.pagepress.example
#               (empty: the API is on the same origin as the app)
#   API_UPSTREAM  host name of the API Gateway this server forwards /api/ to, over
#               verified TLS, e.g. abc123defg.execute-api.eu-west-1.amazonaws.com
#               (empty: /api/ is not served here). On EKS the load balancer sends
#               the whole site here, so the app and /api share one origin.
#   FILES_ORIGIN  space-separated origins download links point at (the files bucket),
#               allowed as img-src so the list's thumbnails and screenshots show
#               (empty: the same origin, as under make run)
# Output (in /tmp so the root filesystem can stay read-only):
#   /tmp/pagepress/config.js  loaded by index.html before the bundle
#   /tmp/pagepress/csp.conf   the Content-Security-Policy, whose connect-src
#                             allows only this origin and API_ORIGIN
#   /tmp/pagepress/api-proxy.conf  the /api/ location (empty without API_UPSTREAM)
set -eu

out="${PAGEPRESS_CONFIG_DIR:-/tmp/pagepress}"
origin="${API_ORIGIN:-}"
origin="${origin%/}"

if [ -n "$origin" ] && ! printf '%s' "$origin" | grep -Eq '^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?$'; then
    echo "40-pagepress-config: API_ORIGIN must be an origin like https://api.example.com, got: $origin" >&2
    exit 1
fi

upstream="${API_UPSTREAM:-}"
label='[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?'
if [ -n "$upstream" ] && ! printf '%s' "$upstream" | grep -Eq "^$label(\.$label)+\$"; then
    echo "40-pagepress-config: API_UPSTREAM must be a host name like abc123defg.execute-api.eu-west-1.amazonaws.com, got: $upstream" >&2
    exit 1
fi

files=""
for files_origin in ${FILES_ORIGIN:-}; do
    if ! printf '%s' "$files_origin" | grep -Eq '^https://[A-Za-z0-9.-]+(:[0-9]{1,5})?$'; then
        echo "40-pagepress-config: FILES_ORIGIN must list https origins, got: $files_origin" >&2
        exit 1
    fi
    files="$files $files_origin"
done

mkdir -p "$out"

if [ -n "$upstream" ]; then
    # nginx resolves a proxy_pass variable at request time, through this resolver, so API
    # Gateway's changing addresses are followed (a literal host would be resolved once).
    resolver="$(awk '$1 == "nameserver" { print $2; exit }' "${RESOLV_CONF:-/etc/resolv.conf}")"
    if [ -z "$resolver" ]; then
        echo "40-pagepress-config: no nameserver in ${RESOLV_CONF:-/etc/resolv.conf} to resolve API_UPSTREAM" >&2
        exit 1
    fi
    case "$resolver" in *:*) resolver="[$resolver]" ;; esac
    cat > "$out/api-proxy.conf" <<EOF
resolver $resolver valid=30s;
location /api/ {
    set \$pagepress_api "$upstream";
    proxy_pass https://\$pagepress_api;
    proxy_http_version 1.1;
    proxy_set_header Host \$pagepress_api;
    proxy_set_header Connection "";
    # The load balancer's X-Forwarded-For as it came, its last hop the client it saw: adding this
    # hop (the load balancer's private address) would make that the client API Gateway's
    # TRUSTED_PROXIES walk stops at (per-client sign-in throttling, api/routing.py).
    proxy_set_header X-Forwarded-For \$http_x_forwarded_for;
    proxy_ssl_server_name on;
    proxy_ssl_name \$pagepress_api;
    proxy_ssl_verify on;
    proxy_ssl_verify_depth 4;
    proxy_ssl_trusted_certificate /etc/ssl/certs/ca-certificates.crt;
    proxy_ssl_protocols TLSv1.2 TLSv1.3;
    # The largest body the API reads (MAX_BODY_BYTES + 2 x MAX_HTML_BYTES, about 4.2 MB).
    client_max_body_size 5m;
    proxy_connect_timeout 5s;
    # API Gateway gives up at 30 s.
    proxy_read_timeout 35s;
}
EOF
else
    : > "$out/api-proxy.conf"
fi

if [ -n "$origin" ]; then
    printf 'window.__PAGEPRESS_CONFIG__ = { "apiOrigin": "%s" };\n' "$origin" > "$out/config.js"
    connect="'self' $origin"
else
    printf 'window.__PAGEPRESS_CONFIG__ = {};\n' > "$out/config.js"
    connect="'self'"
fi

csp="default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:$files; font-src 'self'; connect-src $connect; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
printf 'set $pagepress_csp "%s";\n' "$csp" > "$out/csp.conf"

echo "40-pagepress-config: API origin: ${origin:-same origin}; /api/ forwarded to: ${upstream:-nowhere}"
