package org.dindex.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.EncodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.core.json.jackson.JacksonCodec;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The TCP event-bus bridge wire format: a 4-byte big-endian length, then that many bytes of UTF-8 JSON.
 * Field and type names are those of Vert.x's {@code TcpEventBusBridge} so existing clients work unchanged.
 */
public final class Frames {
    private Frames() {
    }

    public static final String SEND = "send";
    public static final String PUBLISH = "publish";
    public static final String REGISTER = "register";
    public static final String UNREGISTER = "unregister";
    public static final String PING = "ping";
    public static final String MESSAGE = "message";
    public static final String PONG = "pong";
    public static final String ERR = "err";

    /** Length prefix plus UTF-8 JSON of {@code frame}. */
    public static Buffer encode(JsonObject frame) {
        byte[] json = utf8(frame);
        return Buffer.buffer(json.length + 4).appendInt(json.length).appendBytes(json);
    }

    /**
     * The UTF-8 JSON of {@code json}. Through a String on purpose: {@code JsonObject.toBuffer()} (Jackson writing
     * into a Netty buffer through an output stream) is slower for a search reply (docs/benchmarks.md,
     * {@code bench search}), and every search reply and request passes here. A String holding a
     * surrogate goes through Jackson's generator after all: {@code String.getBytes} turns a lone surrogate (which
     * hostile or broken clients send, say in a reply address) into '?', while Jackson keeps it the way the other end
     * reads it back, so an error reply still names the address it answers. (Straight into a byte array, not through
     * {@code toBuffer()}: clients have no Netty.)
     */
    public static byte[] utf8(JsonObject json) {
        String s = json.encode();
        for (int i = 0; i < s.length(); i++) {
            if (Character.isSurrogate(s.charAt(i))) {
                ByteArrayOutputStream out = new ByteArrayOutputStream(s.length() + 16);
                try (var generator = JSON.createGenerator(out)) {
                    JacksonCodec.encodeJson(json.getMap(), generator);
                } catch (IOException e) {
                    throw new EncodeException("Failed to encode: " + e.getMessage());
                }
                return out.toByteArray();
            }
        }
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static final JsonFactory JSON = new JsonFactory();

    /**
     * Parses the JSON object in {@code bytes[offset, offset + length)}. Straight from the bytes with Jackson's
     * byte-level parser, faster for a search reply than decoding a String first (docs/benchmarks.md,
     * {@code bench search}), and every reply a client reads passes here.
     *
     * @throws DecodeException    when the bytes are not JSON
     * @throws ClassCastException when they are JSON but not an object
     */
    @SuppressWarnings("unchecked")
    public static JsonObject decode(byte[] bytes, int offset, int length) {
        try (var parser = JSON.createParser(bytes, offset, length)) {
            return new JsonObject((Map<String, Object>) JacksonCodec.fromParser(
                    parser, Map.class));
        } catch (IOException e) {
            throw new DecodeException("Failed to decode: " + e.getMessage());
        }
    }

    /**
     * An {@code err} frame. {@code address} is the reply address of the request it answers, when there was one, so a
     * client with many requests in flight can tell which one failed.
     */
    public static JsonObject err(String address, ErrorCode code, String message) {
        JsonObject frame = new JsonObject().put("type", ERR);
        if (address != null) {
            frame.put("address", address);
        }
        return frame.put("failureCode", code.failureCode())
                .put("failureType", "RECIPIENT_FAILURE")
                .put("code", code.wireName())
                .put("message", message);
    }

    public static JsonObject message(String address, Object body) {
        return new JsonObject().put("type", MESSAGE).put("address", address).put("body", body);
    }
}
