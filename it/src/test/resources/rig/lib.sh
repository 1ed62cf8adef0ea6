# Shared by /init and every check. A check is /rig/checks/<name>.sh, run in its own shell
# under a timeout; it ends by calling pass or fail exactly once.

RIG_RESULT_FILE=/tmp/rig-result

# rig.<key>=<value> on the kernel command line becomes RIG_<KEY>=<value>.
rig_read_params() {
    for word in $(cat /proc/cmdline); do
        case "$word" in
            rig.*=*) ;;
            *) continue ;;
        esac
        key=${word%%=*}
        key=${key#rig.}
        case "$key" in
            ''|*[!a-z0-9_]*) echo "RIG-INFO ignoring parameter $word"; continue ;;
        esac
        export "RIG_$(echo "$key" | tr a-z A-Z)=${word#*=}"
    done
    export RIG_IF="${RIG_IF:-eth0}"
    export RIG_IP="${RIG_IP:-192.168.127.2}"
    export RIG_PREFIX="${RIG_PREFIX:-24}"
    export RIG_GW="${RIG_GW:-192.168.127.1}"
    export RIG_GWMAC="${RIG_GWMAC:-5a:94:ef:e4:0c:dd}"
    export RIG_CHECK_TIMEOUT="${RIG_CHECK_TIMEOUT:-60}"
}

# Runs one check; prints its RIG-RESULT line; returns 0 when it passed.
rig_run_check() {
    name=$1
    rm -f "$RIG_RESULT_FILE"
    case "$name" in
        ''|*[!a-z0-9_]*) echo "RIG-RESULT $name FAIL bad check name"; return 1 ;;
    esac
    if [ ! -f "/rig/checks/$name.sh" ]; then
        echo "RIG-RESULT $name FAIL unknown check"
        return 1
    fi
    timeout "$RIG_CHECK_TIMEOUT" sh -c '. /rig/lib.sh; . "$1"' "$name" "/rig/checks/$name.sh"
    rc=$?
    if [ -s "$RIG_RESULT_FILE" ]; then
        result=$(cat "$RIG_RESULT_FILE")
    elif [ "$rc" -eq 143 ] || [ "$rc" -eq 137 ]; then
        result="FAIL timed out after ${RIG_CHECK_TIMEOUT}s"
    else
        result="FAIL ended without a result (exit $rc)"
    fi
    echo "RIG-RESULT $name $result"
    case "$result" in
        PASS*) return 0 ;;
        *) return 1 ;;
    esac
}

pass() {
    printf "%s" "PASS $*" | tr '\n' ' ' > "$RIG_RESULT_FILE"
    exit 0
}

fail() {
    printf "%s" "FAIL $*" | tr '\n' ' ' > "$RIG_RESULT_FILE"
    exit 1
}

# arping and ping print MACs without leading zeros (5a:94:ef:e4:c:dd); checks compare the
# canonical two-digit lowercase form.
canonical_mac() {
    out=""
    for part in $(echo "$1" | tr 'A-F:' 'a-f '); do
        out="$out$(printf '%02x' "0x$part"):"
    done
    echo "${out%:}"
}

# ping_check TARGET COUNT: passes only with 0 % loss; the detail is ping's summary.
ping_check() {
    target=$1
    count=$2
    out=$(timeout $((count + 15)) ping -c "$count" -i 0.2 -W 2 "$target" 2>&1)
    loss=$(echo "$out" | grep 'packet loss')
    rtt=$(echo "$out" | grep 'round-trip')
    case "$loss" in
        *" 0% packet loss"*) pass "$target: $loss; $rtt" ;;
        '') fail "$target: no summary: $(echo "$out" | tail -n 2)" ;;
        *) fail "$target: $loss; $rtt" ;;
    esac
}
