package org.dindex.mcp;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Argument reading and the JSON-RPC envelope check, without a process. */
class ToolArgsTest {
    static ToolArgs args(Object... pairs) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put((String) pairs[i], pairs[i + 1]);
        }
        return new ToolArgs(m, Set.of("q", "n", "list", "meta", "flag"));
    }

    static String problem(ToolArgs a, java.util.function.Consumer<ToolArgs> read) {
        return assertThrows(ToolException.class, () -> read.accept(a)).getMessage();
    }

    @Test
    void typesAreStrictAndErrorsNameTheJsonType() {
        assertEquals(7, args("n", 7.0).integer("n", 1, 1, 10));
        assertEquals(3, args().integer("n", 3, 1, 10));
        assertEquals(List.of("a"), args("list", List.of("a")).strings("list"));
        assertEquals(Boolean.TRUE, args("flag", true).bool("flag"));
        assertNull(args().bool("flag"));
        assertEquals("'n' must be an integer, got the string \"5\"",
                problem(args("n", "5"), a -> a.integer("n", 1, 1, 10)));
        assertEquals("'list' must be an array of strings, got the string \"/tmp/a\"",
                problem(args("list", "/tmp/a"), a -> a.strings("list")));
        assertEquals("'flag' must be true or false, got the string \"true\"",
                problem(args("flag", "true"), a -> a.bool("flag")));

        assertEquals("'n' must be an integer, got the number 7.5",
                problem(args("n", 7.5), a -> a.integer("n", 1, 1, 10)));
        assertEquals("'n' must be between 1 and 10, got 11", problem(args("n", 11), a -> a.integer("n", 1, 1, 10)));
        assertEquals("'q' is required: a non-empty string", problem(args("q", " "), a -> a.requiredString("q")));
        assertEquals("'list' must contain only non-empty strings, got the number 1",
                problem(args("list", List.of("a", 1)), a -> a.strings("list")));
        assertEquals("'meta.k' must be a string, got the number 1",
                problem(args("meta", Map.of("k", 1)), a -> a.stringMap("meta")));
        assertEquals("unknown argument 'x' (known: flag, list, meta, n, q)",
                assertThrows(ToolException.class, () -> new ToolArgs(Map.of("x", 1), Set.of("q", "n", "list",
                        "meta", "flag"))).getMessage());
    }

    @Test
    void envelopeRules() throws Exception {
        ObjectMapper m = new ObjectMapper();
        assertNull(JsonRpcCheck.problem(m.readTree("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}")));
        assertNull(JsonRpcCheck.problem(m.readTree("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}")));
        assertNull(JsonRpcCheck.problem(m.readTree("{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"result\":{}}")));
        assertEquals("\"jsonrpc\" must be \"2.0\"", JsonRpcCheck.problem(m.readTree("{\"id\":1,\"method\":\"ping\"}")));
        assertEquals("\"id\" must be a string or an integer",
                JsonRpcCheck.problem(m.readTree("{\"jsonrpc\":\"2.0\",\"id\":{},\"method\":\"ping\"}")));
        assertEquals("\"params\" must be an object",
                JsonRpcCheck.problem(m.readTree("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":3}")));
        assertEquals("a message must be a JSON object, got string", JsonRpcCheck.problem(m.readTree("\"hi\"")));
    }
}
