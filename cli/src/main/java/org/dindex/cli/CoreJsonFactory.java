package org.dindex.cli;

import io.vertx.core.json.jackson.JacksonCodec;
import io.vertx.core.spi.JsonFactory;
import io.vertx.core.spi.json.JsonCodec;

/**
 * Vert.x's JSON on Jackson's streaming core alone, for the thin CLI jar. Vert.x picks its databind codec whenever
 * jackson-databind is on the class path (the configuration loader needs it for YAML), and setting that codec up (an
 * {@code ObjectMapper}, with its date formats and locale data) costs a command more than its round trip to the daemon.
 * The thin client only reads and writes JSON objects, arrays and plain values, which the core codec handles.
 *
 * <p>Registered as a {@link JsonFactory} service in the thin CLI jar only (its build adds the service file); the
 * daemon's jar, which holds these classes too, keeps Vert.x's default.
 */
public final class CoreJsonFactory implements JsonFactory {
    private static final JsonCodec CODEC = new JacksonCodec();

    @Override
    public int order() {
        return 0;
    }

    @Override
    public JsonCodec codec() {
        return CODEC;
    }
}
