package org.dindex.collections;

import io.vertx.core.json.JsonObject;
import org.dindex.support.Cli;
import org.dindex.support.EmbeddedDaemon;
import org.junit.jupiter.api.AfterAll;

/**
 * What the collection tests share: one embedded daemon per test class (each class starts it in its own
 * {@code @BeforeAll}, with its own settings) and the real CLI talking to it.
 */
abstract class OneDaemonCli {
    static EmbeddedDaemon daemon;
    static Cli cli;

    @AfterAll
    static void stop() throws Exception {
        daemon.close();
    }

    static Cli.Result ok(String... args) {
        return cli.ok(args);
    }

    static Cli.Result fails(String... args) {
        return cli.fails(args);
    }

    static JsonObject stats(String collection) {
        return ok("stats", "--collection", collection, "--json").json();
    }
}
