package io.switchboard.core.exec;

import io.switchboard.core.metrics.Metrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The named executors for blocking work (after Jicofo's TaskPools), built once in the composition
 * root and passed through constructors. Each kind of work has its own bounded pool, so that a flood
 * of one (password hashing during a login storm) cannot delay another (a SIP answer's store look-up):
 * <ul>
 *   <li>{@code store}: the MongoDB sync driver's calls;</li>
 *   <li>{@code hashing}: PBKDF2 password hashing and checking, deliberately few threads;</li>
 *   <li>{@code sip-send}: JAIN-SIP sends over TCP and TLS, which may block on connect or a full socket
 *       (UDP sends do not block and need no pool).</li>
 * </ul>
 */
public final class TaskPools {

  private static final Logger LOG = LoggerFactory.getLogger(TaskPools.class);

  /**
   * Threads and queue limit (tasks waiting beyond the running ones) per pool.
   *
   * @param hashingThreads default half the cores, at least 1: hashing must never take every core
   */
  public record Sizes(int storeThreads, int storeQueue, int hashingThreads, int hashingQueue, int sipSendThreads,
      int sipSendQueue) {

    public static Sizes defaults() {
      int cores = Runtime.getRuntime().availableProcessors();
      return new Sizes(8, 2000, Math.max(1, cores / 2), 64, 8, 2000);
    }
  }

  private final TaskPool store;
  private final TaskPool hashing;
  private final TaskPool sipSend;

  public TaskPools(Vertx vertx, Sizes sizes) {
    this(vertx, sizes, new Metrics());
  }

  /** @param metrics where each pool's queue depth, refusals and task times are shown */
  public TaskPools(Vertx vertx, Sizes sizes, Metrics metrics) {
    this.store = new TaskPool(vertx, "store", sizes.storeThreads(), sizes.storeQueue(), metrics);
    this.hashing = new TaskPool(vertx, "hashing", sizes.hashingThreads(), sizes.hashingQueue(), metrics);
    this.sipSend = new TaskPool(vertx, "sip-send", sizes.sipSendThreads(), sizes.sipSendQueue(), metrics);
  }

  public static TaskPools withDefaults(Vertx vertx) {
    return new TaskPools(vertx, Sizes.defaults());
  }

  public static TaskPools withDefaults(Vertx vertx, Metrics metrics) {
    return new TaskPools(vertx, Sizes.defaults(), metrics);
  }

  public TaskPool store() {
    return store;
  }

  public TaskPool hashing() {
    return hashing;
  }

  public TaskPool sipSend() {
    return sipSend;
  }

  /** Closes the pools (after every component using them has stopped), logging what each did. */
  public Future<Void> close() {
    LOG.info("Task pools [{}; {}; {}]", store, hashing, sipSend);
    return Future.all(List.of(store.close(), hashing.close(), sipSend.close())).mapEmpty();
  }
}
