package io.gvproxy.core.nat;

import io.gvproxy.core.net.Ipv4Subnet;

import java.util.ArrayList;
import java.util.List;

/**
 * Which host-side destinations guest flows may reach (not in upstream, which lets guests reach everything the
 * host can). Rules are checked in order and the first matching one decides; with no match the default applies.
 * Checked after NAT, on the address the host would dial, before any host socket is opened.
 */
public final class EgressPolicy {
    /** One rule: destinations in {@code subnet} are allowed or denied. */
    public record Rule(boolean allow, Ipv4Subnet subnet) {
    }

    private final Rule[] rules;
    private final boolean defaultAllow;

    public EgressPolicy(List<Rule> rules, boolean defaultAllow) {
        this.rules = rules.toArray(new Rule[0]);
        this.defaultAllow = defaultAllow;
    }

    /** Upstream's behaviour: everything may be dialled. */
    public static EgressPolicy allowAll() {
        return new EgressPolicy(List.of(), true);
    }

    /**
     * The command-line shape: denied subnets win over allowed ones; when any allow rule is given only allowed
     * subnets are reachable, otherwise everything not denied is.
     */
    public static EgressPolicy of(List<Ipv4Subnet> allow, List<Ipv4Subnet> deny) {
        List<Rule> r = new ArrayList<>();
        for (Ipv4Subnet s : deny) {
            r.add(new Rule(false, s));
        }
        for (Ipv4Subnet s : allow) {
            r.add(new Rule(true, s));
        }
        return new EgressPolicy(r, allow.isEmpty());
    }

    public boolean allows(int destination) {
        for (Rule r : rules) {
            if (r.subnet.contains(destination)) {
                return r.allow;
            }
        }
        return defaultAllow;
    }

    public List<Rule> rules() {
        return List.of(rules);
    }

    public boolean defaultAllow() {
        return defaultAllow;
    }

    @Override
    public String toString() {
        return "EgressPolicy" + List.of(rules) + (defaultAllow ? " else allow" : " else deny");
    }
}
