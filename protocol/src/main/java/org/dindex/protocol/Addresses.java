package org.dindex.protocol;

import java.util.Set;

/**
 * Every event-bus address dindex serves or publishes on.
 *
 * <p>Requests use {@code dindex.<area>[.<verb>]} and are permitted through the socket bridge only when the daemon
 * actually serves them (see {@link ServedAddresses}). Events live under their own prefixes so the bridge rule reads
 * "exact inbound, prefix outbound".
 */
public final class Addresses {
    private Addresses() {
    }

    /** Daemon status: the same content as {@code dindex daemon status --json}. */
    public static final String STATUS = "dindex.status";
    /** Graceful shutdown of the daemon. */
    public static final String SHUTDOWN = "dindex.shutdown";

    /** Submit documents for indexing (reply when durable). */
    public static final String INDEX_SUBMIT = "dindex.index.submit";
    /** Commit pending writes and make them searchable (reply when visible). */
    public static final String COMMIT = "dindex.commit";
    /** Index statistics. */
    public static final String STATS = "dindex.stats";
    /** Delete documents by id or source prefix. */
    public static final String DELETE = "dindex.delete";
    /** Delete everything (requires {"confirm": true}). */
    public static final String CLEAR = "dindex.clear";
    /** One page of every chunk with its metadata. */
    public static final String EXPORT = "dindex.export";
    /** Consistency check of the stores. */
    public static final String CHECK = "dindex.check";

    /** Hybrid search. */
    public static final String SEARCH = "dindex.search";
    /** A prompt-ready context block within a token budget. */
    public static final String CONTEXT = "dindex.context";

    /** Every job, optionally filtered by state or type. */
    public static final String JOBS_LIST = "dindex.jobs.list";
    /** One job by id. */
    public static final String JOBS_GET = "dindex.jobs.get";
    /** Cancel a queued or running job (reply when it has stopped and committed). */
    public static final String JOBS_CANCEL = "dindex.jobs.cancel";
    /** Start an import job (a MediaWiki XML dump or a JSONL file on the daemon's machine). */
    public static final String IMPORT = "dindex.import";
    /** Start a scrape job. */
    public static final String SCRAPE = "dindex.scrape";
    /** Start a watch job: folders kept in sync with the index until it is cancelled. */
    public static final String WATCH = "dindex.watch";

    /**
     * Group documents (by URL) into k topics by their mean chunk vectors (k-means), each with a label. Not about the
     * machine cluster: that is {@code dindex.cluster.*}.
     */
    public static final String TOPICS = "dindex.topics";
    /**
     * The first name of {@link #TOPICS}, still served for socket clients written against it. It reads like one of
     * the machine cluster's addresses below, hence the new name; new code uses {@link #TOPICS}.
     */
    public static final String TOPICS_OLD_NAME = "dindex.cluster";

    /** The cluster this daemon belongs to: node id and members with their index sizes. */
    public static final String CLUSTER_STATUS = "dindex.cluster.status";

    /**
     * The shards of every collection in the cluster: each shard's copies with member, role, state and documents, and
     * the cluster's health (green: every shard has all its copies; yellow: a shard lacks a replica; red: some shard
     * has no live copy).
     */
    public static final String CLUSTER_SHARDS = "dindex.cluster.shards";

    /** Every cluster member's jobs, each with its member. */
    public static final String CLUSTER_JOBS = "dindex.cluster.jobs";

    /** Every collection with its model and size. */
    public static final String COLLECTIONS_LIST = "dindex.collections.list";
    /** Create a collection: {@code {"name", "model"?}}. */
    public static final String COLLECTIONS_CREATE = "dindex.collections.create";
    /** Delete a collection and everything in it: {@code {"name", "confirm": true}}; its jobs are cancelled first. */
    public static final String COLLECTIONS_DELETE = "dindex.collections.delete";

    /** A consistent copy of a collection's last commit, with its settings and a manifest of checksums. */
    public static final String SNAPSHOT_CREATE = "dindex.snapshots.create";
    /** The snapshots in the daemon's snapshot folder. */
    public static final String SNAPSHOT_LIST = "dindex.snapshots.list";
    /** A snapshot, verified, into a new collection (or replacing one). */
    public static final String SNAPSHOT_RESTORE = "dindex.snapshots.restore";
    /** Delete a snapshot from the daemon's snapshot folder. */
    public static final String SNAPSHOT_DELETE = "dindex.snapshots.delete";

    /**
     * The addresses that act on one collection's index and take the optional {@code collection} field (absent: the
     * default collection); search and context also take {@code collections}.
     */
    public static final Set<String> COLLECTION_SCOPED = Set.of(INDEX_SUBMIT, COMMIT, STATS,
            DELETE, CLEAR, EXPORT, CHECK, SEARCH, CONTEXT, IMPORT, SCRAPE, WATCH, TOPICS, TOPICS_OLD_NAME,
            SNAPSHOT_CREATE);

    /** Prefix of per-job progress streams: {@code dindex.progress.<jobId>}. */
    public static final String PROGRESS_PREFIX = "dindex.progress.";
    /** Prefix of shared event streams such as {@code dindex.events.jobs}. */
    public static final String EVENTS_PREFIX = "dindex.events.";
}
