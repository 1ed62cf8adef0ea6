# Serves rig.fwd_token with busybox httpd on port 8080, then uses the forwarder API inside the VM
# (http://rig.gw/services/forwarder/...): exposes host 127.0.0.1:rig.fwd_guest_port to its own port 8080 (the
# empty remote host is filled with the guest's address), and checks that a non-loopback host address and a unix
# socket are refused (403). Then holds rig.hold seconds while the host fetches through the forwards.
[ -n "$RIG_FWD_TOKEN" ] || fail "no rig.fwd_token given"
[ -n "$RIG_FWD_GUEST_PORT" ] || fail "no rig.fwd_guest_port given"
mkdir -p /www
echo "$RIG_FWD_TOKEN" > /www/index.html
httpd -p 8080 -h /www || fail "httpd did not start"
api="http://$RIG_GW/services/forwarder"
post() {
    timeout 15 wget -q -O- --header "Content-Type: application/json" --post-data "$2" "$api/$1" 2>&1
}
out=$(post expose "{\"local\":\"127.0.0.1:$RIG_FWD_GUEST_PORT\",\"remote\":\":8080\",\"protocol\":\"tcp\"}") \
    || fail "expose on host loopback failed: $out"
out=$(post expose "{\"local\":\":$RIG_FWD_GUEST_PORT\",\"remote\":\":8080\"}") \
    && fail "expose on all host interfaces was accepted"
echo "$out" | grep -q 403 || fail "all-interfaces expose not refused with 403: $out"
out=$(post expose "{\"local\":\"/tmp/gvproxy-guest.sock\",\"remote\":\"tcp://$RIG_IP:8080\",\"protocol\":\"unix\"}") \
    && fail "unix expose was accepted"
echo "$out" | grep -q 403 || fail "unix expose not refused with 403: $out"
list=$(timeout 15 wget -q -O- "$api/all" 2>&1) || fail "list failed: $list"
echo "$list" | grep -q "\"remote\":\"$RIG_IP:8080\"" || fail "guest forward not listed with its address: $list"
sleep "${RIG_HOLD:-10}"
pass "httpd on 8080; exposed 127.0.0.1:$RIG_FWD_GUEST_PORT; refused all-interfaces and unix; $list"
