package org.dindex.bench;

import org.dindex.tools.ToolCommands;

import java.util.LinkedHashMap;
import java.util.Map;

/** {@code dindex bench} and {@code dindex eval}, found by the daemon jar's commands when this jar is beside it. */
public final class BenchTools implements ToolCommands {
    @Override
    public Map<String, Object> commands() {
        Map<String, Object> commands = new LinkedHashMap<>();
        commands.put("eval", new EvalCommand());
        commands.put("bench", new BenchCommand());
        return commands;
    }
}
