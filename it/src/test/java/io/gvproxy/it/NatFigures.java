package io.gvproxy.it;

import java.util.ArrayList;
import java.util.List;

/**
 * The figures one NAT test class measured, printed together as one labelled block at its end (the closing note of
 * the NAT issue quotes it), gvproxy's figure next to the kernel's where both were measured.
 */
final class NatFigures {
    private final String title;
    private final List<String> lines = new ArrayList<>();

    NatFigures(String title) {
        this.title = title;
    }

    synchronized void add(String label, String value) {
        lines.add(String.format("%-38s %s", label, value));
    }

    /** gvproxy's and the kernel veth's figure and their ratio. */
    synchronized void compare(String label, double gvproxy, double veth, String unit) {
        add(label, String.format("gvproxy %9.2f %s | kernel veth %9.2f %s | ratio %.2f", gvproxy, unit, veth, unit,
                veth == 0 ? Double.NaN : gvproxy / veth));
    }

    synchronized boolean isEmpty() {
        return lines.isEmpty();
    }

    synchronized String block() {
        StringBuilder b = new StringBuilder("==== " + title + " ====\n");
        lines.forEach(l -> b.append(l).append('\n'));
        return b.append("==== end of ").append(title).append(" ====").toString();
    }
}
