# iperf3 (carried with its libraries by the initramfs) from the guest to rig.nat_iperf (host:port) through the NAT
# for rig.nat_iperf_seconds (5) each: TCP guest->host, TCP host->guest (-R) and UDP at 200 Mbit/s. The detail gives
# the receivers' rates and the UDP loss.
[ -n "$RIG_NAT_IPERF" ] || fail "no rig.nat_iperf given"
host=${RIG_NAT_IPERF%:*}
port=${RIG_NAT_IPERF##*:}
secs=${RIG_NAT_IPERF_SECONDS:-5}
export LD_LIBRARY_PATH=/lib/x86_64-linux-gnu:/usr/lib/x86_64-linux-gnu
run() {
    timeout $((secs + 60)) iperf3 -c "$host" -p "$port" -t "$secs" -f m "$@" 2>&1
}
rate() {
    echo "$1" | grep receiver | tail -n 1 | awk '{ for (i = 1; i < NF; i++) if ($(i + 1) == "Mbits/sec") print $i }' | head -n 1
}
up=$(run) || fail "iperf3 guest->host: $(echo "$up" | tail -n 3)"
down=$(run -R) || fail "iperf3 -R: $(echo "$down" | tail -n 3)"
udp=$(run -u -b 200M) || fail "iperf3 UDP: $(echo "$udp" | tail -n 3)"
loss=$(echo "$udp" | grep receiver | tail -n 1 | grep -o '([0-9.e+-]*%)')
[ -n "$(rate "$up")" ] && [ -n "$(rate "$down")" ] && [ -n "$loss" ] \
    || fail "no receiver lines: $(echo "$up$down$udp" | grep -E 'receiver|error' | tr '\n' ';')"
pass "tcp guest->host $(rate "$up") Mbit/s; tcp host->guest $(rate "$down") Mbit/s; udp 200M $(rate "$udp") Mbit/s loss $loss"
