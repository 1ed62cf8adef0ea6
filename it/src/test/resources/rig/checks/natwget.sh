# Downloads each URL of rig.nat_urls (comma-separated) with busybox wget through gvproxy's NAT and checks that its
# sha256 is rig.nat_sha256. The detail gives each download's time in seconds.
[ -n "$RIG_NAT_URLS" ] || fail "no rig.nat_urls given"
[ -n "$RIG_NAT_SHA256" ] || fail "no rig.nat_sha256 given"
detail=""
for url in $(echo "$RIG_NAT_URLS" | tr ',' ' '); do
    start=$(cut -d' ' -f1 /proc/uptime)
    sum=$(timeout "${RIG_NAT_WGET_TIMEOUT:-300}" wget -q -O- "$url" | sha256sum | cut -d' ' -f1)
    end=$(cut -d' ' -f1 /proc/uptime)
    took=$(awk "BEGIN { printf \"%.2f\", $end - $start }")
    [ "$sum" = "$RIG_NAT_SHA256" ] || fail "$url: sha256 '$sum' after ${took}s, want $RIG_NAT_SHA256;$detail"
    detail="$detail $url sha256 ok in ${took}s;"
done
pass "$detail"
