package org.dindex.cli;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The daemon marks a snippet's query terms as {@code **term**} (Markdown bold, as LLMs and the JSON reply get it).
 * On a terminal they are shown in bold red (grep's colour for a match); elsewhere the marks are removed, so piped
 * output is plain text.
 */
final class Highlights {
    /** Bold red on, and every attribute off. */
    static final String ON = "\u001B[1;31m";
    static final String OFF = "\u001B[0m";

    /** A marked term: what the daemon's snippets and the dashboard read as one (no asterisk or line break inside). */
    private static final Pattern MARKED = Pattern.compile("\\*\\*([^*\\n]+?)\\*\\*");

    private Highlights() {
    }

    static String render(String snippet, boolean colour) {
        if (snippet == null || snippet.indexOf("**") < 0) {
            return snippet;
        }
        Matcher m = MARKED.matcher(snippet);
        StringBuilder out = new StringBuilder(snippet.length() + 16);
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(colour ? ON + m.group(1) + OFF : m.group(1)));
        }
        m.appendTail(out);
        return out.toString();
    }
}
