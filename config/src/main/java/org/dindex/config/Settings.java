package org.dindex.config;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/** Every setting dindex knows. Add a setting here and it is loadable, overridable, validated and documented. */
public final class Settings {
    private Settings() {
    }

    public static final Setting SHUTDOWN_TIMEOUT_MS = Setting.integer("daemon.shutdown_timeout_ms", 30_000, 1_000,
            3_600_000, "Hard deadline for a graceful stop (SIGTERM, SIGINT, `daemon stop`). Past it the process exits"
                    + " even if work is unfinished.");
    public static final Setting START_TIMEOUT_MS = Setting.integer("daemon.start_timeout_ms", 120_000, 1_000,
            3_600_000, "How long `daemon start` and auto-start wait for the daemon to answer on its socket.");
    public static final Setting PREFER_NATIVE_TRANSPORT = Setting.bool("daemon.prefer_native_transport", true,
            "Use Netty's native epoll transport when available (status shows the transport in use).");
    public static final Setting BACKGROUND_NICE = Setting.integer("daemon.background_nice", 10, 0, 19,
            "Linux nice value of the threads doing background work (embedding ingest batches, chunking, index writes,"
                    + " graph inserts, merges, dump parsing), so that searches keep the cores during an import; 0"
                    + " leaves them at normal priority. Idle cores still go to the background.");
    public static final Setting MAX_FRAME_BYTES = Setting.integer("bridge.max_frame_bytes", 16L * 1024 * 1024, 1024,
            1L << 30, "Largest frame accepted on the socket; a larger length prefix gets an `err` frame and the"
                    + " connection is closed.");
    public static final Setting REQUEST_TIMEOUT_MS = Setting.integer("bridge.request_timeout_ms", 30_000, 10,
            3_600_000, "How long a request over the socket waits for its reply before the client gets `timeout`.");
    public static final Setting MAX_CONNECTIONS = Setting.integer("bridge.max_connections", 1024, 1, 1_000_000,
            "Socket connections served at once; more are refused with an `err` frame.");
    public static final Setting MAX_IN_FLIGHT = Setting.integer("bridge.max_in_flight_per_connection", 1024, 1,
            1_000_000, "Requests awaiting a reply on one connection; more get `too_many_requests`.");
    public static final Setting MAX_PENDING_FRAME_BYTES = Setting.integer("bridge.max_pending_frame_bytes",
            256L * 1024 * 1024, 1024 * 1024, 1L << 40, "Memory that all partially received frames over 64 KiB may hold"
                    + " together (at most a quarter of the heap is used, whatever is set). A frame that would exceed it"
                    + " is refused with an `err` frame and its connection closed; smaller frames are never refused.");
    public static final Setting FRAME_TIMEOUT_MS = Setting.integer("bridge.frame_timeout_ms", 30_000, 100,
            3_600_000, "A frame must arrive whole within this time of its length prefix; a slower one gets an `err`"
                    + " frame and its connection is closed.");
    public static final Setting SOCKET_IDLE_TIMEOUT_MS = Setting.integer("bridge.idle_timeout_ms", 600_000, 100,
            86_400_000L, "A socket connection with no request in flight, no registration and no frame under way is"
                    + " closed after this long. At the connection limit the longest-idle one is closed at once to make"
                    + " room.");
    public static final Setting LOG_LEVEL = Setting.choice("log.level", "info",
            List.of("error", "warn", "info", "debug", "trace"), "Daemon log level.");
    public static final Setting LOG_MAX_FILE_BYTES = Setting.integer("log.max_file_bytes", 10L * 1024 * 1024,
            64 * 1024, Integer.MAX_VALUE, "Size at which the detached daemon's log file is rotated.");
    public static final Setting LOG_FORMAT = Setting.choice("log.format", "text", List.of("text", "json"),
            "`text`: one readable line per event. `json`: one JSON object per line (ts, level, logger, thread, msg,"
                    + " job_id, request_id, error) for log shippers.");
    public static final Setting LOG_FILES = Setting.integer("log.files", 5, 1, 100,
            "Rotated log files kept (logs/daemon.0.log is the newest).");

    public static final Setting EMBEDDING_BACKEND = Setting.choice("embedding.backend", "onnx",
            List.of("onnx", "http"), "`onnx`: the embedded model, offline. `http`: an OpenAI-compatible embedding"
                    + " service (embedding.http.*).");
    public static final Setting EMBEDDING_MODEL = Setting.string("embedding.model", "bge-small-en-v1.5-q",
            "Embedding model: all-minilm-l6-v2(-q), bge-small-en-v1.5(-q), e5-small-v2(-q) for onnx (see"
                    + " docs/quality.md), or the service's model name for http. Changing it needs a re-index.");
    public static final Setting EMBEDDING_THREADS = Setting.integer("embedding.threads", 0, 0, 256,
            "ONNX Runtime threads per inference; 0 means one per core.");
    public static final Setting EMBEDDING_BATCH_SIZE = Setting.integer("embedding.batch_size", 8, 1, 1024,
            "Chunks embedded together; a batch goes when full or after embedding.batch_wait_ms.");
    public static final Setting EMBEDDING_BATCH_WAIT_MS = Setting.integer("embedding.batch_wait_ms", 10, 0, 10_000,
            "How long a partial batch waits for more chunks before it is embedded.");
    public static final Setting EMBEDDING_QUEUE_LIMIT = Setting.integer("embedding.queue_limit", 8192, 16,
            10_000_000, "Chunks waiting for embedding; writes beyond it are refused with `unavailable` (retry).");
    public static final Setting HTTP_EMBEDDING_URL = Setting.string("embedding.http.url", "",
            "Base URL of an OpenAI-compatible service (POST <url>/embeddings).");
    public static final Setting HTTP_EMBEDDING_API_KEY = Setting.string("embedding.http.api_key", "",
            "Bearer key for the embedding service (prefer the environment variable).");
    public static final Setting HTTP_EMBEDDING_DIMENSIONS = Setting.integer("embedding.http.dimensions", 0, 0,
            65_536, "Vector length the service returns; required for http.");
    public static final Setting HTTP_EMBEDDING_MAX_RETRIES = Setting.integer("embedding.http.max_retries", 4, 0,
            100, "Retries on 429 and 5xx, with exponential backoff.");
    public static final Setting CHUNK_MAX_TOKENS = Setting.integer("chunk.max_tokens", 0, 0, 8192,
            "Chunk size in model tokens; 0 fits the model (at most 256).");
    public static final Setting CHUNK_OVERLAP_TOKENS = Setting.integer("chunk.overlap_tokens", -1, -1, 4096,
            "Tokens shared by consecutive chunks; -1 means 15% of the chunk size.");
    public static final Setting COMMIT_EVERY_CHUNKS = Setting.integer("index.commit_every_chunks", 2000, 1,
            10_000_000, "Commit (make searchable) after this many written chunks.");
    public static final Setting COMMIT_INTERVAL_MS = Setting.integer("index.commit_interval_ms", 2000, 50,
            3_600_000, "Commit pending writes at least this often.");
    public static final Setting MAX_DOCUMENT_BYTES = Setting.integer("index.max_document_bytes", 20L * 1024 * 1024,
            1024, 1L << 31, "Largest file `dindex index` reads; larger ones are skipped with a reason.");

    public static final Setting SEARCH_CANDIDATES = Setting.integer("search.candidates", 100, 10, 10_000,
            "Candidates taken from each retriever (dense and BM25) before fusion.");
    public static final Setting SEARCH_DENSE_BEAM = Setting.integer("search.dense_beam", 100, 10, 10_000,
            "jvector search beam (candidates re-ranked exactly); more is slower and more accurate.");
    public static final Setting SEARCH_EXACT_BELOW = Setting.integer("search.exact_filter_below", 2000, 0,
            10_000_000, "An index or filter with at most this many eligible chunks is answered by exact dense scoring.");
    public static final Setting SEARCH_TITLE_WEIGHT = Setting.decimal("search.title_weight", 1.0, 0, 10,
            "BM25 weight of the title field beside the chunk text (0 = text only).");
    public static final Setting SEARCH_FUSION = Setting.choice("search.fusion", "linear", List.of("rrf", "linear"),
            "Hybrid fusion: reciprocal-rank fusion or a normalised linear combination (see docs/quality.md).");
    public static final Setting SEARCH_RRF_K = Setting.decimal("search.rrf_k", 60, 1, 1000,
            "The RRF constant k in weight / (k + rank).");
    public static final Setting SEARCH_DENSE_WEIGHT = Setting.decimal("search.dense_weight", 1.0, 0, 100,
            "RRF weight of the dense ranking.");
    public static final Setting SEARCH_BM25_WEIGHT = Setting.decimal("search.bm25_weight", 1.0, 0, 100,
            "RRF weight of the BM25 ranking.");
    public static final Setting SEARCH_LINEAR_ALPHA = Setting.decimal("search.linear_alpha", 0.5, 0, 1,
            "Linear fusion: alpha * dense + (1 - alpha) * bm25 over min-max normalised scores.");

    public static final Setting JOBS_MAX_CONCURRENT = Setting.integer("jobs.max_concurrent", 2, 1, 64,
            "Import and scrape jobs running at once; more wait in a queue.");
    public static final Setting JOBS_HISTORY = Setting.integer("jobs.history", 200, 1, 100_000,
            "Finished jobs remembered (shown by `dindex jobs`); the oldest are forgotten first.");
    public static final Setting IMPORT_CHECKPOINT_PAGES = Setting.integer("jobs.checkpoint_pages", 500, 1,
            10_000_000, "An import saves its resume position after this many pages (or lines).");
    public static final Setting IMPORT_BATCH_DOCUMENTS = Setting.integer("jobs.batch_documents", 16, 1, 1000,
            "Documents an import sends to the indexer per request.");
    public static final Setting SCRAPE_USER_AGENT = Setting.string("scrape.user_agent",
            "dindex/0.1 (+https://github.com/dindex/dindex)", "User-Agent sent by the scraper and matched in"
                    + " robots.txt.");
    public static final Setting SCRAPE_TIMEOUT_MS = Setting.integer("scrape.request_timeout_ms", 30_000, 100,
            600_000, "Time limit of one HTTP request while scraping.");
    public static final Setting SCRAPE_MAX_PAGE_BYTES = Setting.integer("scrape.max_page_bytes", 10L * 1024 * 1024,
            1024, 1L << 30, "Largest page (or PDF) the scraper downloads; larger ones are skipped.");
    public static final Setting SCRAPE_ALLOW_PRIVATE = Setting.bool("scrape.allow_private_addresses", false,
            "Allow scraping private network addresses (10/8, 172.16/12, 192.168/16, fc00::/7). Link-local and"
                    + " cloud-metadata addresses are always refused.");
    public static final Setting SCRAPE_ALLOW_LOOPBACK = Setting.bool("scrape.allow_loopback", true,
            "Allow scraping sites on this machine (127.0.0.0/8, ::1).");

    public static final Setting WATCH_DEBOUNCE_MS = Setting.integer("watch.debounce_ms", 500, 10, 600_000,
            "A watched file is indexed once it has not changed for this long, so an editor's burst of saves is one"
                    + " update (a file that never stops changing is still indexed every 20 such periods).");
    public static final Setting WATCH_SCAN_INTERVAL_MS = Setting.integer("watch.scan_interval_ms", 60_000, 100,
            86_400_000, "How often a watch that could not have inotify watches for all its folders scans them"
                    + " instead (and how often every watch checks that its folders still exist).");
    public static final Setting WATCH_MAX_INOTIFY_WATCHES = Setting.integer("watch.max_inotify_watches", 0, 0,
            100_000_000, "inotify watches (one per watched folder) the daemon's watches may hold together; a watch"
                    + " that would need more scans its folders every watch.scan_interval_ms instead, and says so. 0:"
                    + " half of the system's per-user limit (/proc/sys/fs/inotify/max_user_watches), which other"
                    + " programs share.");

    public static final Setting HTTP_ENABLED = Setting.bool("http.enabled", true,
            "Serve the HTTP API, WebSocket streams and dashboard.");
    public static final Setting HTTP_HOST = Setting.string("http.host", "127.0.0.1",
            "Address the HTTP server listens on (loopback by default; 0.0.0.0 for all interfaces, e.g. in a pod).");
    public static final Setting HTTP_ALLOWED_HOSTS = Setting.string("http.allowed_hosts", "",
            "Comma-separated host names the HTTP server answers to (in the `Host` header) besides `localhost`, IP"
                    + " addresses and the listening address: a pod's, a Service's or a reverse proxy's name. Others get"
                    + " 421, which stops DNS-rebinding pages. `*` accepts any name (not recommended).");
    /**
     * 10150: unassigned in IANA's service name and port number registry (10130-10159 is an unassigned range) and not
     * the default of a well-known tool a user of a search daemon is likely to run beside it (Meilisearch's 7700,
     * Elasticsearch's 9200, Solr's 8983, Qdrant's 6333, Typesense's 8108, Ollama's 11434, the usual 3000/5000/8000/8080
     * of development servers). Below the Linux ephemeral range (32768-60999), so an outgoing connection never holds it.
     */
    public static final Setting HTTP_PORT = Setting.integer("http.port", 10150, 0, 65535,
            "HTTP port (10150 by default: unassigned by IANA and clear of other search engines' defaults; 0 picks a"
                    + " free one; `dindex daemon status` shows it).");
    public static final Setting HTTP_API_KEYS = Setting.string("http.api_keys", "",
            "Comma-separated API keys; when set, every route but health (and metrics, see below) needs one, as"
                    + " `Authorization: Bearer KEY`, a bare `Authorization: KEY` or `X-API-Key: KEY`.");
    public static final Setting HTTP_METRICS_NEED_KEY = Setting.bool("http.metrics_need_key", false,
            "Require an API key for /metrics too.");
    public static final Setting HTTP_CORS_ORIGINS = Setting.string("http.cors_origins", "",
            "Comma-separated origins allowed by CORS (`*` for any); empty: no cross-origin access.");
    public static final Setting HTTP_WS_ORIGINS = Setting.string("http.ws_origins", "",
            "Comma-separated extra origins allowed to open /ws, exactly as browsers send them; pages served by"
                    + " this daemon under an accepted name (see http.allowed_hosts) always are.");
    public static final Setting HTTP_MAX_BODY_BYTES = Setting.integer("http.max_body_bytes", 16L * 1024 * 1024,
            1024, 1L << 30, "Largest request body; larger ones get 413.");
    public static final Setting HTTP_WS_MAX_FRAME_BYTES = Setting.integer("http.ws_max_frame_bytes", 65_536, 256,
            16L * 1024 * 1024, "Largest WebSocket message a client may send.");
    public static final Setting HTTP_IDLE_TIMEOUT_MS = Setting.integer("http.idle_timeout_ms", 120_000, 100,
            3_600_000, "An HTTP connection that sends nothing for this long is closed (bounds slow and stalled"
                    + " clients; WebSocket clients should ping).");
    public static final Setting HTTP_REQUEST_TIMEOUT_MS = Setting.integer("http.request_timeout_ms", 60_000, 100,
            3_600_000, "A request must arrive whole (headers and body) within this time, else 408 and the connection"
                    + " is closed (bounds clients that trickle a body byte by byte).");
    public static final Setting HTTP_IMPORT_ROOTS = Setting.string("http.import_roots", "",
            "Comma-separated folders HTTP clients may make the daemon read: POST /api/v1/import and the MCP index tool"
                    + " over /mcp; empty: neither reads files over HTTP.");

    public static final Setting CLUSTER_ENABLED = Setting.bool("cluster.enabled", false,
            "Join a cluster of daemons (Vert.x clustered event bus, Hazelcast); searches then cover every member.");
    public static final Setting CLUSTER_NAME = Setting.string("cluster.name", "dindex",
            "Only daemons with the same cluster name join each other.");
    public static final Setting CLUSTER_HOST = Setting.string("cluster.host", "127.0.0.1",
            "Address this member binds and announces to the others (an address they can reach).");
    public static final Setting CLUSTER_PORT = Setting.integer("cluster.port", 5701, 1, 65535,
            "Hazelcast member port (membership and cluster state).");
    public static final Setting CLUSTER_BUS_PORT = Setting.integer("cluster.bus_port", 0, 0, 65535,
            "Event-bus port for messages between members (0 picks a free one; set it when a firewall needs to).");
    public static final Setting CLUSTER_JOIN = Setting.string("cluster.join", "",
            "Comma-separated host:port of members to join (TCP join; multicast is never used). Empty: start alone"
                    + " and wait for others to join.");
    public static final Setting CLUSTER_KUBERNETES_DNS = Setting.string("cluster.kubernetes_dns", "",
            "Discover members through the DNS name of a headless Kubernetes Service (e.g."
                    + " dindex-headless.default.svc.cluster.local) instead of cluster.join.");
    public static final Setting CLUSTER_MEMBER_TIMEOUT_MS = Setting.integer("cluster.member_timeout_ms", 2000, 50,
            60_000, "How long a cluster search waits for each member before answering without it (partial).");
    public static final Setting CLUSTER_SHARDS = Setting.integer("cluster.shards", 6, 1, 1024,
            "Shards of a collection in a cluster, fixed when the cluster first allocates the collection (a document's"
                    + " shard is a hash of its id). A single daemon holds each collection whole.");
    public static final Setting CLUSTER_REPLICAS = Setting.integer("cluster.replicas", 1, 0, 8,
            "Copies of each shard besides its primary, on other members (fixed when the cluster first allocates the"
                    + " collection; fewer while there are not members enough). A write is acknowledged once every"
                    + " in-sync copy has it, so with 1 an acknowledged document survives the loss of any one member.");
    public static final Setting CLUSTER_ACKNOWLEDGE = Setting.choice("cluster.acknowledge", "copies",
            List.of("copies", "primary"), "When a write in a cluster is acknowledged. `copies`: once every in-sync"
                    + " copy of its shard has it (it survives the loss of any member but the last copy's). `primary`:"
                    + " once the primary has it, forwarding to the replicas afterwards (faster; an acknowledged write"
                    + " can be lost with its primary).");

    public static final List<Setting> ALL = List.of(SHUTDOWN_TIMEOUT_MS, START_TIMEOUT_MS, PREFER_NATIVE_TRANSPORT,
            BACKGROUND_NICE, MAX_FRAME_BYTES, REQUEST_TIMEOUT_MS, MAX_CONNECTIONS, MAX_IN_FLIGHT,
            MAX_PENDING_FRAME_BYTES, FRAME_TIMEOUT_MS, SOCKET_IDLE_TIMEOUT_MS, LOG_LEVEL, LOG_FORMAT, LOG_MAX_FILE_BYTES,
            LOG_FILES, EMBEDDING_BACKEND, EMBEDDING_MODEL, EMBEDDING_THREADS, EMBEDDING_BATCH_SIZE,
            EMBEDDING_BATCH_WAIT_MS, EMBEDDING_QUEUE_LIMIT, HTTP_EMBEDDING_URL, HTTP_EMBEDDING_API_KEY,
            HTTP_EMBEDDING_DIMENSIONS, HTTP_EMBEDDING_MAX_RETRIES, CHUNK_MAX_TOKENS, CHUNK_OVERLAP_TOKENS,
            COMMIT_EVERY_CHUNKS, COMMIT_INTERVAL_MS, MAX_DOCUMENT_BYTES, SEARCH_CANDIDATES, SEARCH_DENSE_BEAM,
            SEARCH_EXACT_BELOW, SEARCH_TITLE_WEIGHT, SEARCH_FUSION, SEARCH_RRF_K, SEARCH_DENSE_WEIGHT,
            SEARCH_BM25_WEIGHT, SEARCH_LINEAR_ALPHA, JOBS_MAX_CONCURRENT, JOBS_HISTORY, IMPORT_CHECKPOINT_PAGES,
            IMPORT_BATCH_DOCUMENTS, SCRAPE_USER_AGENT, SCRAPE_TIMEOUT_MS, SCRAPE_MAX_PAGE_BYTES, SCRAPE_ALLOW_PRIVATE,
            SCRAPE_ALLOW_LOOPBACK, WATCH_DEBOUNCE_MS, WATCH_SCAN_INTERVAL_MS, WATCH_MAX_INOTIFY_WATCHES, HTTP_ENABLED, HTTP_HOST, HTTP_ALLOWED_HOSTS, HTTP_PORT, HTTP_API_KEYS, HTTP_METRICS_NEED_KEY,
            HTTP_CORS_ORIGINS, HTTP_WS_ORIGINS, HTTP_MAX_BODY_BYTES, HTTP_WS_MAX_FRAME_BYTES, HTTP_IDLE_TIMEOUT_MS, HTTP_REQUEST_TIMEOUT_MS, HTTP_IMPORT_ROOTS, CLUSTER_ENABLED, CLUSTER_NAME,
            CLUSTER_HOST, CLUSTER_PORT, CLUSTER_BUS_PORT, CLUSTER_JOIN, CLUSTER_KUBERNETES_DNS,
            CLUSTER_MEMBER_TIMEOUT_MS, CLUSTER_SHARDS, CLUSTER_REPLICAS, CLUSTER_ACKNOWLEDGE);

    private static final Map<String, Setting> BY_KEY = ALL.stream()
            .collect(Collectors.toUnmodifiableMap(Setting::key, Function.identity()));

    public static Optional<Setting> byKey(String key) {
        return Optional.ofNullable(BY_KEY.get(key));
    }

    /** Sections (the part of keys before the first dot), for "did you mean" hints and YAML structure checks. */
    public static boolean isSection(String name) {
        return ALL.stream().anyMatch(s -> s.key().startsWith(name + "."));
    }
}
