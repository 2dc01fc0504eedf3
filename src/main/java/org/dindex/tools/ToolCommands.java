package org.dindex.tools;

import java.util.Map;

/**
 * More commands that run daemon code in the CLI's process, from jars beside the daemon's (found with
 * {@link java.util.ServiceLoader}): the benchmarks and the evaluation live in {@code dindex-bench.jar}, so that the
 * daemon jar holds no code that exists only for them.
 */
public interface ToolCommands {
    /** Picocli command objects by name, as {@link org.dindex.cli.InProcessCommands#commands()} gives them. */
    Map<String, Object> commands();
}
