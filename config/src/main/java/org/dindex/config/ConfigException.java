package org.dindex.config;

import java.util.List;

/** A configuration that cannot be used, with every problem found (not just the first). */
public final class ConfigException extends RuntimeException {
    private final List<String> problems;

    public ConfigException(String source, List<String> problems) {
        super(format(source, problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }

    private static String format(String source, List<String> problems) {
        StringBuilder sb = new StringBuilder("invalid configuration (").append(source).append("): ")
                .append(problems.size()).append(problems.size() == 1 ? " problem" : " problems");
        problems.forEach(p -> sb.append("\n  - ").append(p));
        return sb.toString();
    }
}
