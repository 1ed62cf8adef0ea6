# Each host:port of rig.nat_refused (comma-separated) must be refused ("Connection refused" from busybox wget)
# within rig.nat_refused_max seconds (1): a closed port on the host, or a destination gvproxy's egress policy
# denies. The detail gives each refusal's time in seconds.
[ -n "$RIG_NAT_REFUSED" ] || fail "no rig.nat_refused given"
max=${RIG_NAT_REFUSED_MAX:-1}
detail=""
for target in $(echo "$RIG_NAT_REFUSED" | tr ',' ' '); do
    start=$(cut -d' ' -f1 /proc/uptime)
    out=$(timeout 10 wget -q -O- "http://$target/" 2>&1)
    end=$(cut -d' ' -f1 /proc/uptime)
    took=$(awk "BEGIN { printf \"%.2f\", $end - $start }")
    case "$out" in
        *"Connection refused"*) ;;
        *) fail "$target: not refused after ${took}s: $out;$detail" ;;
    esac
    awk "BEGIN { exit !($end - $start < $max) }" || fail "$target refused only after ${took}s;$detail"
    detail="$detail $target refused in ${took}s;"
done
pass "$detail"
