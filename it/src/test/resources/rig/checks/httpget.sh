# After dhcp (or static plus a default route): busybox wget fetches http://rig.http_host:rig.http_port/rig.http_path
# through gvproxy's NAT (192.168.127.254 is the host's 127.0.0.1) and busybox sha256sum must give rig.http_sha256.
# The body lands in /tmp (tmpfs), so keep it a few MiB.
[ -n "$RIG_HTTP_PORT" ] || fail "no rig.http_port given"
[ -n "$RIG_HTTP_SHA256" ] || fail "no rig.http_sha256 given"
url="http://${RIG_HTTP_HOST:-192.168.127.254}:$RIG_HTTP_PORT/${RIG_HTTP_PATH:-}"
rm -f /tmp/http.body
start=$(cut -d' ' -f1 /proc/uptime)
# busybox 1.35 wget -T segfaults: the outer timeout bounds it instead.
out=$(timeout 50 wget -q -O /tmp/http.body "$url" 2>&1) || fail "wget $url: $out"
end=$(cut -d' ' -f1 /proc/uptime)
got=$(sha256sum /tmp/http.body | cut -d' ' -f1)
size=$(wc -c < /tmp/http.body)
[ "$got" = "$RIG_HTTP_SHA256" ] || fail "$url: $size bytes, sha256 $got, expected $RIG_HTTP_SHA256"
pass "$url: $size bytes sha256=$got (uptime $start -> $end)"
