package org.dindex.scrape;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpResponseHead;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.streams.WriteStream;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.ext.web.client.impl.ClientPhase;
import io.vertx.ext.web.client.impl.HttpContext;
import io.vertx.ext.web.codec.BodyCodec;
import io.vertx.ext.web.codec.spi.BodyStream;

/**
 * Single HTTP GETs with the limits a crawler needs, on Vert.x's {@link WebClient}.
 *
 * <p>What it adds to a plain {@code send()}:
 * <ul>
 *   <li><b>No automatic redirects.</b> The caller follows them, so every hop passes the address policy and
 *       robots.txt and the page is recorded under its final URL.</li>
 *   <li><b>Connecting to the checked address.</b> The request goes to the {@link InetAddress} the caller resolved
 *       and checked, while the Host header (and TLS server name) come from the URL. Letting the client resolve the
 *       name again would open a DNS-rebinding hole: a name answering with a public address to the check and with
 *       169.254.169.254 to the connection.</li>
 *   <li><b>A size cap that aborts.</b> Content-Length beyond the limit fails the request as soon as the head
 *       arrives, and a body (chunked or lying about its length) that grows past the limit fails it when it does; in
 *       both cases the connection is reset rather than drained. For robots.txt and non-2xx responses, whose body is
 *       secondary, the body is truncated at the limit instead.</li>
 *   <li><b>Refusal from the head.</b> The caller's {@link HeadCheck} can refuse a 2xx response by its headers (an
 *       image, say) before any of the body is downloaded.</li>
 *   <li><b>A whole-request timeout</b> (connect + head + body), where Vert.x's own timeouts are idle timeouts.</li>
 *   <li><b>A request budget</b> for the whole crawl ({@link CrawlOptions#maxRequests()}): every request counts,
 *       and once it is spent {@code get} refuses at once.</li>
 * </ul>
 *
 * <p>The head checks use a WebClient interceptor: {@link WebClient#addInterceptor} is public API, but the
 * {@link HttpContext} it receives lives in an {@code impl} package, so a Vert.x upgrade may require adapting
 * {@link #intercept}. The interceptor finds the request's state through its body codec, which is a fresh
 * {@link Exchange} per request.
 *
 * <p>Used from one Vert.x context only (the crawler's); the WebClient is held here, strongly, for the whole crawl
 * because Vert.x 5 closes clients that become unreachable.
 */
final class Fetcher {
    /** A received response; body truncated to the limit when truncated is true. */
    record Response(String url, int status, MultiMap headers, Buffer body, boolean truncated, long receivedAtMillis) {
        String header(String name) {
            return headers.get(name);
        }
    }

    /** Decides from a 2xx response's head whether its body is wanted; returns the refusal reason or null. */
    @FunctionalInterface
    interface HeadCheck {
        String refusal(HttpResponseHead head);
    }

    private static final String ACCEPT =
            "text/html,application/xhtml+xml,application/pdf;q=0.9,text/plain;q=0.8,text/markdown;q=0.8,*/*;q=0.1";

    private final Vertx vertx;
    private final WebClient client;
    private final long timeoutMs;
    private final Set<Exchange> open = new HashSet<>();
    private final long maxRequests;
    private long requests;
    private boolean closed;

    Fetcher(Vertx vertx, CrawlOptions options) {
        this.vertx = vertx;
        this.timeoutMs = options.requestTimeoutMs();
        this.maxRequests = options.maxRequests();
        WebClientOptions wo = new WebClientOptions();
        wo.setUserAgent(options.userAgent());
        wo.setUserAgentEnabled(true);
        wo.setFollowRedirects(false);
        wo.setDecompressionSupported(true);
        wo.setKeepAlive(true);
        wo.setForceSni(true);
        wo.setConnectTimeout((int) Math.min(Integer.MAX_VALUE, timeoutMs));
        this.client = WebClient.create(vertx, wo);
        this.client.addInterceptor(this::intercept);
    }

    /**
     * GETs url from address.
     *
     * @param maxBytes body limit; beyond it the request fails TOO_LARGE, or the body is truncated when
     *                 truncate is set or the status is not 2xx
     * @param check    may refuse a 2xx response from its head; null accepts all
     * @return the response; failed with a {@link FetchException} (TIMEOUT, TOO_LARGE, REFUSED, NETWORK, CANCELLED)
     */
    /** Requests made so far (refused ones are not counted). */
    long requests() {
        return requests;
    }

    Future<Response> get(String url, InetAddress address, long maxBytes, boolean truncate, HeadCheck check) {
        if (closed) {
            return Future.failedFuture(new FetchException(FetchException.Kind.CANCELLED, null, "cancelled"));
        }
        if (requests >= maxRequests) {
            return Future.failedFuture(new FetchException(FetchException.Kind.CANCELLED, null, "request limit reached ("
                    + maxRequests + " requests, max_requests)"));
        }
        requests++;
        Exchange exchange = new Exchange(url, maxBytes, truncate, check);
        open.add(exchange);
        exchange.timer = vertx.setTimer(timeoutMs, id -> {
            if (exchange.promise.tryFail(new FetchException(FetchException.Kind.TIMEOUT, exchange.status(),
                    "timeout after " + timeoutMs + " ms"))) {
                exchange.abort();
            }
        });
        exchange.promise.future().onComplete(ar -> {
            vertx.cancelTimer(exchange.timer);
            open.remove(exchange);
        });
        try {
            HttpRequest<Buffer> request = (UrlNormalizer.host(url).startsWith("[")
                    // An IPv6 literal is its own checked address, and Vert.x 5.1 cannot take an IPv6 server address
                    // here ("Invalid authority host portion"): the URL alone says where to connect.
                    ? client.requestAbs(HttpMethod.GET, url)
                    : client.requestAbs(HttpMethod.GET, SocketAddress.inetSocketAddress(
                            new InetSocketAddress(address, UrlNormalizer.port(url))), url))
                    .as(exchange)
                    .putHeader("Accept", ACCEPT)
                    .connectTimeout(timeoutMs)
                    .idleTimeout(timeoutMs)
                    .followRedirects(false);
            request.send().onComplete(ar -> {
                if (ar.succeeded()) {
                    var r = ar.result();
                    exchange.promise.tryComplete(new Response(url, r.statusCode(), r.headers(),
                            r.body() == null ? Buffer.buffer() : r.body(), false, System.currentTimeMillis()));
                } else {
                    exchange.promise.tryFail(FetchException.of(ar.cause()));
                }
            });
        } catch (RuntimeException e) {
            exchange.promise.tryFail(FetchException.of(e));
        }
        return exchange.promise.future();
    }

    /** Abandons all requests in flight and closes the client; later {@link #get} calls fail CANCELLED. */
    void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Exchange e : new ArrayList<>(open)) {
            if (e.promise.tryFail(new FetchException(FetchException.Kind.CANCELLED, null, "cancelled"))) {
                e.abort();
            }
        }
        client.close();
    }

    /**
     * Gives each request's {@link Exchange} its client request (so a timeout can reset it) and its response head
     * (checked before the body is read).
     */
    private void intercept(HttpContext<?> ctx) {
        if (ctx.request().bodyCodec() instanceof Exchange exchange) {
            if (ctx.phase() == ClientPhase.SEND_REQUEST) {
                exchange.request = ctx.clientRequest();
            } else if (ctx.phase() == ClientPhase.RECEIVE_RESPONSE) {
                FetchException refusal = exchange.onHead(ctx.clientResponse());
                if (refusal != null) {
                    // The reset below is deliberate; without a handler Vert.x would log it as an error.
                    ctx.clientResponse().exceptionHandler(ignored -> { });
                    exchange.promise.tryFail(refusal);
                    exchange.abort();
                    ctx.fail(refusal);
                    return;
                }
            }
        }
        ctx.next();
    }

    /** The state of one request; also its body codec, so the interceptor can find it. */
    private final class Exchange implements BodyCodec<Buffer> {
        final String url;
        final long maxBytes;
        final boolean truncateAlways;
        final HeadCheck check;
        final Promise<Response> promise = Promise.promise();
        long timer;
        HttpClientRequest request;
        HttpClientResponse head;
        boolean truncate;

        Exchange(String url, long maxBytes, boolean truncateAlways, HeadCheck check) {
            this.url = url;
            this.maxBytes = maxBytes;
            this.truncateAlways = truncateAlways;
            this.check = check;
        }

        Integer status() {
            return head == null ? null : head.statusCode();
        }

        FetchException onHead(HttpClientResponse response) {
            head = response;
            request = response.request();
            int status = response.statusCode();
            truncate = truncateAlways || status < 200 || status >= 300;
            if (truncate) {
                return null;
            }
            String length = response.getHeader("Content-Length");
            if (length != null) {
                try {
                    long n = Long.parseLong(length.strip());
                    if (n > maxBytes) {
                        return new FetchException(FetchException.Kind.TOO_LARGE, status,
                                "too large (Content-Length " + n + " bytes, the limit is " + maxBytes + ")");
                    }
                } catch (NumberFormatException e) {
                    // A malformed length is ignored: the cap on the bytes read still holds.
                }
            }
            String refusal = check == null ? null : check.refusal(response);
            return refusal == null ? null : new FetchException(FetchException.Kind.REFUSED, status, refusal);
        }

        void abort() {
            if (request != null) {
                request.reset();
            }
        }

        @Override
        public BodyStream<Buffer> stream() {
            return new Stream();
        }

        /** Collects the body up to the limit. */
        private final class Stream implements BodyStream<Buffer> {
            private final Promise<Buffer> result = Promise.promise();
            private final Buffer body = Buffer.buffer();

            @Override
            public Future<Buffer> result() {
                return result.future();
            }

            @Override
            public void handle(Throwable failure) {
                result.tryFail(failure);
            }

            @Override
            public Future<Void> write(Buffer data) {
                if (result.future().isComplete()) {
                    return Future.failedFuture("body already complete");
                }
                if ((long) body.length() + data.length() <= maxBytes) {
                    body.appendBuffer(data);
                    return Future.succeededFuture();
                }
                FetchException tooLarge = new FetchException(FetchException.Kind.TOO_LARGE, status(),
                        "too large (more than " + maxBytes + " bytes)");
                if (truncate) {
                    body.appendBuffer(data, 0, (int) (maxBytes - body.length()));
                    promise.tryComplete(new Response(url, head.statusCode(), head.headers(), body, true,
                            System.currentTimeMillis()));
                } else {
                    promise.tryFail(tooLarge);
                }
                result.tryFail(tooLarge);
                abort();
                return Future.failedFuture(tooLarge);
            }

            @Override
            public Future<Void> end() {
                result.tryComplete(body);
                return Future.succeededFuture();
            }

            @Override
            public WriteStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
                return this;
            }

            @Override
            public WriteStream<Buffer> setWriteQueueMaxSize(int maxSize) {
                return this;
            }

            @Override
            public boolean writeQueueFull() {
                return false;
            }

            @Override
            public WriteStream<Buffer> drainHandler(Handler<Void> handler) {
                return this;
            }
        }
    }
}
