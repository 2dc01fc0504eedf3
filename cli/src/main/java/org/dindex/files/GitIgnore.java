package org.dindex.files;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The patterns of one {@code .gitignore} file, matched as git does against a path relative to the file's folder:
 * blank lines and {@code #} comments are ignored; {@code !} re-includes; a trailing {@code /} matches folders only; a
 * pattern with a {@code /} before its end is anchored to the file's folder, one without matches at any depth;
 * {@code *}, {@code ?} and {@code [...]} do not cross {@code /}; a leading {@code **}{@code /}, a trailing
 * {@code /**} and an inner {@code /**}{@code /} span folders; the last matching pattern decides. What git does
 * beyond one file (a folder's exclusion covers everything below it; deeper files override shallower ones) is
 * {@link FileSelection}'s part.
 */
final class GitIgnore {
    static final GitIgnore NONE = new GitIgnore(List.of());

    private record Rule(Pattern regex, boolean negate, boolean foldersOnly) {
    }

    private final List<Rule> rules;

    private GitIgnore(List<Rule> rules) {
        this.rules = rules;
    }

    boolean isEmpty() {
        return rules.isEmpty();
    }

    static GitIgnore parse(String text) {
        List<Rule> rules = new ArrayList<>();
        for (String line : text.split("\r?\n")) {
            Rule rule = rule(line);
            if (rule != null) {
                rules.add(rule);
            }
        }
        return rules.isEmpty() ? NONE : new GitIgnore(List.copyOf(rules));
    }

    /**
     * What this file says of {@code relative} ('/'-separated, below this file's folder): {@code TRUE} ignored,
     * {@code FALSE} re-included by a {@code !} pattern, null when no pattern matches.
     */
    Boolean match(String relative, boolean folder) {
        for (int i = rules.size() - 1; i >= 0; i--) {
            Rule r = rules.get(i);
            if ((!r.foldersOnly() || folder) && r.regex().matcher(relative).matches()) {
                return !r.negate();
            }
        }
        return null;
    }

    private static Rule rule(String line) {
        String p = stripTrailingSpaces(line);
        if (p.isEmpty() || p.startsWith("#")) {
            return null;
        }
        boolean negate = false;
        if (p.startsWith("!")) {
            negate = true;
            p = p.substring(1);
        } else if (p.startsWith("\\!") || p.startsWith("\\#")) {
            p = p.substring(1);
        }
        boolean foldersOnly = false;
        if (p.endsWith("/") && !p.endsWith("\\/")) {
            foldersOnly = true;
            p = p.substring(0, p.length() - 1);
        }
        if (p.isEmpty()) {
            return null;
        }
        boolean anchored = p.indexOf('/') >= 0;
        if (p.startsWith("/")) {
            p = p.substring(1);
        }
        StringBuilder regex = new StringBuilder(anchored ? "" : "(?:.*/)?");
        int i = 0;
        if (p.startsWith("**/")) {
            regex.append("(?:.*/)?");
            i = 3;
        }
        while (i < p.length()) {
            char c = p.charAt(i);
            if (p.startsWith("/**/", i)) {
                regex.append("/(?:.*/)?");
                i += 4;
            } else if (p.startsWith("/**", i) && i + 3 == p.length()) {
                regex.append("/.*");
                i += 3;
            } else if (c == '*') {
                regex.append("[^/]*");
                while (i < p.length() && p.charAt(i) == '*') {
                    i++;
                }
            } else if (c == '?') {
                regex.append("[^/]");
                i++;
            } else if (c == '[') {
                int end = classEnd(p, i);
                if (end < 0) {
                    regex.append("\\[");
                    i++;
                } else {
                    String body = p.substring(i + 1, end);
                    if (body.startsWith("!")) {
                        body = "^" + body.substring(1);
                    }
                    regex.append('[').append(body.replace("\\", "\\\\").replace("[", "\\[")).append(']');
                    i = end + 1;
                }
            } else if (c == '\\' && i + 1 < p.length()) {
                regex.append(Pattern.quote(String.valueOf(p.charAt(i + 1))));
                i += 2;
            } else {
                regex.append(Pattern.quote(String.valueOf(c)));
                i++;
            }
        }
        return new Rule(Pattern.compile(regex.toString()), negate, foldersOnly);
    }

    /** The index of the {@code ]} closing the class that opens at {@code start}, or -1. */
    private static int classEnd(String p, int start) {
        int i = start + 1;
        if (i < p.length() && (p.charAt(i) == '!' || p.charAt(i) == '^')) {
            i++;
        }
        if (i < p.length() && p.charAt(i) == ']') {
            i++;
        }
        for (; i < p.length(); i++) {
            if (p.charAt(i) == ']') {
                return i;
            }
        }
        return -1;
    }

    /** Trailing spaces are dropped unless escaped with a backslash. */
    private static String stripTrailingSpaces(String line) {
        int end = line.length();
        while (end > 0 && line.charAt(end - 1) == ' ' && !(end > 1 && line.charAt(end - 2) == '\\')) {
            end--;
        }
        String s = line.substring(0, end);
        return s.endsWith("\\ ") ? s.substring(0, s.length() - 2) + " " : s;
    }
}
