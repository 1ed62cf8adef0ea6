package io.gvproxy.cli.http;

/**
 * A request the server refuses before any handler sees it. Answered the way Go's net/http answers its own parse
 * errors, then the connection is closed: {@code HTTP/1.1 400 Bad Request: <detail>} with the same text as the body,
 * or without {@code : <detail>} when Go gives none.
 */
final class BadRequestException extends Exception {
    private final int status;
    private final String detail;

    BadRequestException(int status, String detail) {
        super(detail == null ? HttpStatus.text(status) : detail, null, false, false);
        this.status = status;
        this.detail = detail;
    }

    static BadRequestException plain(int status) {
        return new BadRequestException(status, null);
    }

    int status() {
        return status;
    }

    /** The status text with Go's optional detail, used in both the status line and the body. */
    String publicText() {
        String base = status + " " + HttpStatus.text(status);
        return detail == null ? base : base + ": " + detail;
    }
}
