package org.dindex.cli;

import java.io.Console;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.BooleanSupplier;

/** Whether output goes to a terminal, and so whether it gets colour. */
final class Terminal {
    private Terminal() {
    }

    /** {@code --color} values. */
    enum When { auto, always, never }

    /**
     * Colour or not: {@code always} and {@code never} as said; {@code auto} colours only a terminal, and not when
     * {@code NO_COLOR} is set to anything but the empty string (no-color.org) or {@code TERM} is {@code dumb}. An
     * explicit {@code --color=always} wins over {@code NO_COLOR}, as the convention asks of command-line flags.
     */
    static boolean colour(When when, Map<String, String> env, BooleanSupplier stdoutIsTerminal) {
        return switch (when == null ? When.auto : when) {
            case always -> true;
            case never -> false;
            case auto -> {
                String noColor = env.get("NO_COLOR");
                yield (noColor == null || noColor.isEmpty()) && !"dumb".equals(env.get("TERM"))
                        && stdoutIsTerminal.getAsBoolean();
            }
        };
    }

    /**
     * Whether this process's standard output is a terminal. On Linux, where dindex runs, file descriptor 1's link
     * names a terminal device ({@code /dev/pts/N}, {@code /dev/ttyN}); a pipe or file does not. Elsewhere: whether
     * the JVM has a console that is a terminal (JDK 22's {@code Console.isTerminal}, read reflectively, as the CLI is
     * compiled for 21), which on JDK 21 means standard input and output are both terminals.
     */
    static boolean stdoutIsTerminal() {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/1")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
        } catch (Exception e) {
            Console console = System.console();
            if (console == null) {
                return false;
            }
            try {
                return (Boolean) Console.class.getMethod("isTerminal").invoke(console);
            } catch (ReflectiveOperationException | RuntimeException old) {
                return true;  // JDK 21: a console exists only when both ends are terminals
            }
        }
    }
}
