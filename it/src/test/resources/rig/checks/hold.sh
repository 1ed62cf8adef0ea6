# Stays up rig.hold seconds so that a peer guest can finish its checks against this one.
seconds=${RIG_HOLD:-10}
sleep "$seconds"
pass "held ${seconds}s"
