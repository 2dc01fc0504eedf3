package org.dindex.scrape;

/**
 * How the processing of one URL ended; becomes its terminal {@link UrlEvent}.
 */
record Outcome(UrlEvent.Kind kind, Integer status, String reason, int chunks, int words, String finalUrl,
               String title, int discovered) {
    static Outcome indexed(int status, int chunks, int words, String finalUrl, String title, int discovered) {
        return new Outcome(UrlEvent.Kind.INDEXED, status, null, chunks, words, finalUrl, title, discovered);
    }

    static Outcome skipped(String reason, Integer status) {
        return new Outcome(UrlEvent.Kind.SKIPPED, status, reason, 0, 0, null, null, 0);
    }

    static Outcome failed(String reason, Integer status) {
        return new Outcome(UrlEvent.Kind.FAILED, status, reason, 0, 0, null, null, 0);
    }
}
