package io.switchboard.im;

import io.switchboard.core.config.SwitchboardConfig;
import io.switchboard.core.store.IndexUse;
import io.switchboard.core.store.MongoStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;

/**
 * bench/search.sh: fills a fresh store with COUNT delivered messages through {@link MongoMessageStore}
 * (its document shape, indexes and batched writes), spread over 1,000 users, of which {@code alice} has
 * MINE (sent and received, as a heavy user would), then times {@link MongoMessageStore#search} for alice:
 * a rare word, a common one (a full page), two words, a word with a sender, a word nobody wrote (every
 * one of her messages read). Prints p50, p99 and max per query and the documents each read.
 *
 * <p>Arguments: data dir, count, mine, repeats.
 */
public final class MessageSearchBench {

  private static final int IN_FLIGHT = 1000;
  private static final String[] WORDS = ("meeting budget report invoice lunch call project deadline review office "
      + "printer holiday customer release server network phone contract schedule update").split(" ");

  public static void main(String[] args) {
    try {
      run(Path.of(args[0]), Integer.parseInt(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]));
    } catch (Throwable e) {
      System.err.println("search bench: failed: " + e);
      System.exit(1);
    }
    System.exit(0);
  }

  private static void run(Path dir, int count, int mine, int repeats) throws Exception {
    Vertx vertx = Vertx.vertx();
    MongoStore store = MongoStore.open(new SwitchboardConfig.Store(dir, Optional.empty(), "switchboard"));
    MongoMessageStore messages = new MongoMessageStore(vertx, store);
    messages.createIndexes();
    fill(messages, count, mine);
    String collection = store.database().getName() + ".messages";
    System.out.println("query                               hits   read    p50 ms   p99 ms   max ms");
    time(messages, collection, "rare word (one message)", new MessageSearch("alice", List.of("zanzibar"), null, null,
        null, null, 50), repeats);
    time(messages, collection, "common word (a page of 50)", new MessageSearch("alice", List.of("budget"), null, null,
        null, null, 50), repeats);
    time(messages, collection, "two words", new MessageSearch("alice", List.of("budget", "deadline"), null, null,
        null, null, 50), repeats);
    time(messages, collection, "word from one sender", new MessageSearch("alice", List.of("invoice"), null, "u0007",
        null, null, 50), repeats);
    time(messages, collection, "word with one person", new MessageSearch("alice", List.of("invoice"),
        StoredMessage.conversationOf("alice", "u0007"), null, null, null, 50), repeats);
    time(messages, collection, "no such word (reads all hers)", new MessageSearch("alice", List.of("xylophone"), null,
        null, null, null, 50), repeats);
    store.close();
    vertx.close().await();
  }

  private static void fill(MongoMessageStore messages, int count, int mine) throws Exception {
    SplittableRandom random = new SplittableRandom(42);
    MessageIds ids = new MessageIds(Clock.systemUTC());
    Instant start = Instant.now().minus(Duration.ofDays(30));
    Semaphore slots = new Semaphore(IN_FLIGHT);
    AtomicReference<Throwable> failed = new AtomicReference<>();
    long began = System.nanoTime();
    int aliceEvery = Math.max(1, count / Math.max(1, mine));
    for (int i = 0; i < count && failed.get() == null; i++) {
      boolean hers = i % aliceEvery == 0 && i / aliceEvery < mine;
      String other = String.format("u%04d", random.nextInt(1000));
      String from = hers && random.nextBoolean() ? "alice" : other;
      String to = hers ? (from.equals("alice") ? other : "alice") : String.format("u%04d", random.nextInt(1000));
      String text = hers && i / aliceEvery == mine / 2 ? "the zanzibar budget" : sentence(random);
      StoredMessage m = new StoredMessage(ids.next(), from, from, to, null, StoredMessage.conversationOf(from, to),
          "text/plain;charset=UTF-8", text.getBytes(StandardCharsets.UTF_8), text, MessageState.DELIVERED,
          start.plusMillis(i * (30L * 24 * 3_600_000) / count), start, 0);
      slots.acquire();
      Future<Void> written = messages.insert(m);
      written.onComplete(r -> {
        if (r.failed()) {
          failed.compareAndSet(null, r.cause());
        }
        slots.release();
      });
      if ((i + 1) % Math.max(1, count / 10) == 0) {
        System.out.printf("fill: %,d of %,d (%.0f/s)%n", i + 1, count, (i + 1) / ((System.nanoTime() - began) / 1e9));
      }
    }
    slots.acquire(IN_FLIGHT);
    if (failed.get() != null) {
      throw new IllegalStateException("a write failed", failed.get());
    }
    System.out.printf("fill: %,d messages, %,d of them alice's, in %.0f s%n", count, mine, (System.nanoTime() - began) / 1e9);
  }

  private static String sentence(SplittableRandom random) {
    StringBuilder s = new StringBuilder("about the");
    for (int w = 0; w < 6; w++) {
      s.append(' ').append(WORDS[random.nextInt(WORDS.length)]);
    }
    return s.toString();
  }

  private static void time(MongoMessageStore messages, String collection, String name, MessageSearch search, int repeats) {
    List<Long> nanos = new ArrayList<>();
    int hits = 0;
    long read = 0;
    for (int r = 0; r < repeats + 3; r++) { // three to warm up
      long before = positions(collection);
      long t0 = System.nanoTime();
      hits = messages.search(search).await().size();
      long took = System.nanoTime() - t0;
      read = positions(collection) - before;
      if (r >= 3) {
        nanos.add(took);
      }
    }
    long[] sorted = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
    System.out.printf("%-34s %6d %6d %8.1f %8.1f %8.1f%n", name, hits, read, sorted[sorted.length / 2] / 1e6,
        sorted[(int) Math.ceil(sorted.length * 0.99) - 1] / 1e6, sorted[sorted.length - 1] / 1e6);
  }

  private static long positions(String collection) {
    return Arrays.stream(new String[] {"to_state_created", "from_created", "conversation_created", "_id_"})
        .mapToLong(index -> IndexUse.positions(collection, index)).sum();
  }
}
