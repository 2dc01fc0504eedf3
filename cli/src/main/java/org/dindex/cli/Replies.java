package org.dindex.cli;

import io.vertx.core.json.JsonObject;
import org.dindex.client.Dindex;

import java.util.function.Consumer;
import java.util.function.Function;

/**
 * How a command shows what the daemon answered: with {@code --json} the reply as JSON on stdout, else the command's
 * own text. Failures are not handled here: they reach {@link Main}'s one handler, which maps them to a message and an
 * exit code.
 */
final class Replies {
    private Replies() {
    }

    /** Prints {@code reply} as indented JSON when {@code json}, else runs {@code text}; returns {@link Main#OK}. */
    static int print(DindexCommand root, boolean json, JsonObject reply, Runnable text) {
        if (json) {
            root.out.println(reply.encodePrettily());
        } else {
            text.run();
        }
        return Main.OK;
    }

    /**
     * Connects to the daemon (started when needed), addressing {@code collection} (null: the default), sends one
     * request and prints its reply ({@link #print}): the whole of a command that asks one thing and shows the
     * answer.
     */
    static int ask(DindexCommand root, String collection, boolean json, Function<Dindex, JsonObject> request,
                   Consumer<JsonObject> text) {
        return ask(root, collection, json, request, Function.identity(), text);
    }

    /** {@link #ask(DindexCommand, String, boolean, Function, Consumer)} for a typed reply, shown as {@code asJson}. */
    static <T> int ask(DindexCommand root, String collection, boolean json, Function<Dindex, T> request,
                       Function<? super T, JsonObject> asJson, Consumer<? super T> text) {
        try (Dindex dindex = root.dindex(collection)) {
            T reply = request.apply(dindex);
            return print(root, json, json ? asJson.apply(reply) : null, () -> text.accept(reply));
        }
    }
}
