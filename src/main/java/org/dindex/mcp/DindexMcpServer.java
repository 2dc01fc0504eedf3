package org.dindex.mcp;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.json.schema.JsonSchemaValidator;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpServerFeatures.SyncToolSpecification;
import io.modelcontextprotocol.server.McpStatelessServerFeatures;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.vertx.core.json.JsonObject;
import org.dindex.protocol.DindexException;
import org.dindex.protocol.ErrorCode;
import org.dindex.config.ConfigException;
import org.dindex.config.StartupException;
import org.dindex.config.Version;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The dindex MCP server: the SDK's session and tool registry on a {@link StdioTransport} (or, stateless, on
 * {@link HttpTransport}), with the six tools backed by the daemon. Every tool call ends as a result: failures become MCP tool errors ({@code isError: true})
 * with a message for the model, so nothing a client sends can end the server; only the end of stdin does.
 */
public final class DindexMcpServer {
    private static final Logger LOG = Logger.getLogger(DindexMcpServer.class.getName());
    static final String INSTRUCTIONS = "dindex is a local semantic search index over the user's files, web pages"
            + " and dumps. Use 'context' to gather passages for an answer (cite them as [n]), 'search' to see"
            + " matching documents, 'index' to add files, folders or single pages, 'scrape' to crawl a site in"
            + " the background, 'job_status' to follow it, and 'stats' to see what is indexed.";

    /** How long requests in flight may still answer once stdin has ended. */
    static final Duration DRAIN = Duration.ofSeconds(10);
    private static final JsonSchemaValidator NO_OUTPUT_SCHEMAS = (schema, content) ->
            JsonSchemaValidator.ValidationResponse.asValid(null);

    private final ObjectMapper mapper = new ObjectMapper();
    private final List<DindexTool> tools;

    public DindexMcpServer(DaemonAccess daemon) {
        this.tools = List.of(new SearchTool(daemon), new ContextTool(daemon), new IndexTool(daemon),
                new ScrapeTool(daemon), new JobStatusTool(daemon), new StatsTool(daemon));
    }

    /** Serves one client on {@code in}/{@code out} until {@code in} ends. */
    public void serve(InputStream in, OutputStream out) throws IOException {
        JacksonMcpJsonMapper json = new JacksonMcpJsonMapper(mapper);
        StdioTransport transport = new StdioTransport(mapper, json, in, out, this::paramsProblem);
        McpSyncServer server = McpServer.sync(transport)
                .serverInfo("dindex", Version.get())
                .instructions(INSTRUCTIONS)
                .jsonMapper(json)
                .capabilities(McpSchema.ServerCapabilities.builder().tools(false).build())
                // The tools check their own arguments, with messages that say what to change.
                .validateToolInputs(false)
                // Nor are outputs validated: no tool declares an output schema. This also keeps the SDK from
                // loading its JSON Schema library at start, a second of a client's wait.
                .jsonSchemaValidator(NO_OUTPUT_SCHEMAS)
                .tools(tools.stream().map(this::specification).toList())
                .build();
        try {
            transport.serve(DRAIN);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            server.close();
        }
    }

    /**
     * The same tools for MCP's streamable HTTP transport ({@link HttpTransport}), stateless: each POST carries one
     * JSON-RPC message and gets its answer, no session is kept between them (the tools keep none either).
     */
    public HttpTransport httpTransport() {
        JacksonMcpJsonMapper json = new JacksonMcpJsonMapper(mapper);
        HttpTransport transport = new HttpTransport(mapper, json, this::paramsProblem);
        McpServer.sync(transport)
                .serverInfo("dindex", Version.get())
                .instructions(INSTRUCTIONS)
                .jsonMapper(json)
                .capabilities(McpSchema.ServerCapabilities.builder().tools(false).build())
                .validateToolInputs(false)
                .jsonSchemaValidator(NO_OUTPUT_SCHEMAS)
                .tools(tools.stream().map(this::statelessSpecification).toList())
                .build();
        return transport;
    }

    private McpStatelessServerFeatures.SyncToolSpecification statelessSpecification(DindexTool tool) {
        Schema schema = tool.schema();
        return new McpStatelessServerFeatures.SyncToolSpecification(definition(tool, schema),
                (context, request) -> call(tool, schema, request));
    }

    /**
     * What the SDK would answer badly: an unknown tool (its message names a placeholder, not the tool) and
     * arguments that are not an object (a Jackson error as an internal error).
     */
    String paramsProblem(String method, JsonNode params) {
        if (!"tools/call".equals(method)) {
            return null;
        }
        JsonNode name = params == null ? null : params.get("name");
        List<String> names = tools.stream().map(DindexTool::name).toList();
        if (name == null || !name.isTextual()) {
            return "tools/call needs \"name\": one of " + String.join(", ", names);
        }
        if (!names.contains(name.asText())) {
            return "unknown tool '" + name.asText() + "' (tools: " + String.join(", ", names) + ")";
        }
        JsonNode arguments = params.get("arguments");
        if (arguments != null && !arguments.isNull() && !arguments.isObject()) {
            return "tools/call \"arguments\" must be an object";
        }
        return null;
    }

    private SyncToolSpecification specification(DindexTool tool) {
        Schema schema = tool.schema();
        return new SyncToolSpecification(definition(tool, schema), (exchange, request) -> call(tool, schema, request));
    }

    private static McpSchema.Tool definition(DindexTool tool, Schema schema) {
        return McpSchema.Tool.builder().name(tool.name()).description(tool.description())
                .inputSchema(schema.build()).annotations(tool.annotations()).build();
    }

    private CallToolResult call(DindexTool tool, Schema schema, McpSchema.CallToolRequest request) {
        ToolResult result;
        try {
            result = tool.call(new ToolArgs(request.arguments(), schema.names()));
        } catch (ToolException e) {
            result = ToolResult.failed("invalid arguments for '" + tool.name() + "': " + e.getMessage());
        } catch (DindexException e) {
            result = ToolResult.failed(describe(e));
        } catch (ConfigException | StartupException e) {
            result = ToolResult.failed("the dindex daemon could not be started: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            result = ToolResult.failed("'" + tool.name() + "' was interrupted");
        } catch (Exception e) {
            LOG.log(Level.WARNING, "tool " + tool.name() + " failed", e);
            result = ToolResult.failed("'" + tool.name() + "' failed unexpectedly: " + e);
        }
        CallToolResult.Builder out = CallToolResult.builder().addTextContent(result.text()).isError(result.error());
        if (result.structured() != null) {
            out.structuredContent(toMap(result.structured()));
        }
        return out.build();
    }

    static String describe(DindexException e) {
        return switch (e.code()) {
            case DAEMON_NOT_RUNNING -> "the dindex daemon is not reachable: " + e.getMessage();
            case BAD_REQUEST -> "invalid request: " + e.getMessage();
            case NOT_FOUND -> "not found: " + e.getMessage();
            case TIMEOUT -> "the daemon did not answer in time: " + e.getMessage();
            default -> "the daemon failed (" + e.code().wireName() + "): " + e.getMessage();
        };
    }

    /** Vert.x JSON to plain maps and lists, which the SDK's Jackson writes as they are. */
    private Map<String, Object> toMap(JsonObject json) {
        try {
            return mapper.readValue(json.encode(), new TypeReference<>() {
            });
        } catch (IOException e) {
            throw new DindexException(ErrorCode.INTERNAL, "cannot convert a result: " + e.getMessage(), e);
        }
    }
}
