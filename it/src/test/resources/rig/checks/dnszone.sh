# busybox nslookup against the gateway's DNS server (rig.gw) for names in a zone the test added at runtime:
# rig.dns_expect is a comma-separated list of name=address pairs, each name having to resolve to its address.
lookup() {
    timeout 15 nslookup "$@" "$RIG_GW" 2>&1
}
[ -n "$RIG_DNS_EXPECT" ] || fail "no rig.dns_expect given"
got=""
for pair in $(echo "$RIG_DNS_EXPECT" | tr ',' ' '); do
    name=${pair%%=*}
    want=${pair#*=}
    out=$(lookup -type=a "$name") || fail "$name: $out"
    echo "$out" | grep -q "^Address: $want\$" || fail "$name not $want: $out"
    got="$got $name=$want"
done
pass "resolved:$got"
