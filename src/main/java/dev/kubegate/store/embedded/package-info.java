/**
 * The embedded state store (default, {@code kubegate.store=embedded}): one replica's shared state in
 * memory, persisted under {@code <data-dir>/state} as a snapshot plus a journal.
 * {@link dev.kubegate.store.embedded.EmbeddedStateStore} answers from memory and completes a change
 * only once it is on disk; {@code Journal} owns the files; {@code JournalCodec} checksums each line,
 * so a torn last line is told from a damaged file.
 *
 * <p>Contract:
 * <ul>
 *   <li><b>May block:</b> only {@code EmbeddedStateStore.open} (replays and compacts the files;
 *       start-up thread) and {@code close}. Operations never block their caller.</li>
 *   <li><b>Threads:</b> the {@code kubegate-store-journal} thread does all file I/O after opening and
 *       fsyncs writes in groups; change listeners run on it and must not block. The
 *       {@code kubegate-store-maintenance} thread purges expired entries and compacts.</li>
 *   <li><b>Fail closed:</b> a failed write fails that change and every later one; the store then
 *       reports itself unavailable and calls that need it get 503.</li>
 *   <li><b>One process:</b> the directory is locked; a second process opening it fails.</li>
 * </ul>
 */
package dev.kubegate.store.embedded;
