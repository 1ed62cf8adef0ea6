package io.gvproxy.core.tcpip;

/**
 * Decides about each new connection a guest opens, to any destination address and port. Runs on the thread
 * that delivered the SYN (a switch reader): it must return quickly. It either answers at once with
 * {@link SynOffer#accept()} or {@link SynOffer#reject()}, or keeps the offer and answers later from another
 * thread, once it knows whether the connection can be served (the NAT dials the host first). Offers left
 * unanswered expire after {@link TcpStackConfig#synOfferTimeoutNanos()}.
 */
@FunctionalInterface
public interface SynListener {
    void onSyn(SynOffer offer);
}
