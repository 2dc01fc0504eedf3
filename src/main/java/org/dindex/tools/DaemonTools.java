package org.dindex.tools;

import org.dindex.cli.InProcessCommands;
import org.dindex.config.DaemonConfig;
import org.dindex.config.RuntimePaths;
import org.dindex.daemon.DaemonProcess;
import org.dindex.daemon.Logging;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.ServiceLoader;

/** The daemon jar's commands that run daemon code in the CLI's process (see {@link InProcessCommands}). */
public final class DaemonTools implements InProcessCommands {
    @Override
    public Map<String, Object> commands() {
        Map<String, Object> commands = new LinkedHashMap<>();
        for (ToolCommands more : ServiceLoader.load(ToolCommands.class)) {
            commands.putAll(more.commands());
        }
        commands.putIfAbsent("bench", MissingToolCommand.spec("bench", " ipc"));
        commands.putIfAbsent("eval", MissingToolCommand.spec("eval", ""));
        commands.put("mcp", new McpCommand());
        commands.put("config check", new ConfigCheckCommand());
        return commands;
    }

    @Override
    public void configureJvm() {
        Logging.install();
    }

    @Override
    public int runDaemon(RuntimePaths paths, DaemonConfig config, boolean logToFiles, PrintStream err) {
        return DaemonProcess.run(paths, config, logToFiles, err);
    }
}
