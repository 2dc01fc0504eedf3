/**
 * {@code dindex watch}: folders kept in sync with the index by a job that runs in the daemon until it is cancelled
 * ({@link org.dindex.watch.WatchJob}), started and resumed by {@link org.dindex.watch.WatchVerticle}
 * ({@code dindex.watch}).
 *
 * <p>Why in the daemon and not in the CLI: a watch must go on without a terminal and survive restarts, be listed and
 * cancelled like every other job, and share one inotify budget ({@link org.dindex.watch.WatchBudget}). It uses the
 * same file rules ({@link org.dindex.files.FileSelection}), extraction and change detection as {@code dindex index};
 * the daemon reads the files itself here because the watch outlives the command that started it.
 */
package org.dindex.watch;
