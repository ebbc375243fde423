package io.switchboard.server;

import io.switchboard.core.account.UserAccounts;
import io.switchboard.core.config.SwitchboardConfig;
import io.switchboard.core.model.Device;
import io.switchboard.core.model.Role;
import io.switchboard.core.model.User;
import io.switchboard.core.security.Digest;
import io.switchboard.core.sip.Binding;
import io.switchboard.core.sip.MongoBindingStore;
import io.switchboard.core.store.MongoDeviceStore;
import io.switchboard.core.store.MongoStore;
import io.switchboard.core.store.MongoUserStore;
import io.switchboard.presence.MongoPresenceStore;
import io.switchboard.presence.PresenceProfile;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import com.mongodb.client.MongoCollection;
import org.bson.Document;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.IntFunction;

/**
 * Writes an office park into a fresh data directory, for bench/scale.sh: users (SIP HA1 for
 * {@code <user>-sip-pw}; no web password, as an import may leave it), one desk phone each, a presence
 * profile with a buddy list per user and bindings, through the same store classes the server uses
 * (so that the documents have exactly their shapes) on the embedded store, and the built-in admin
 * (password {@code bench-admin-pw}). Not a test.
 *
 * <pre>ScaleDataSet &lt;data-dir&gt; &lt;users&gt; &lt;buddies per user&gt; &lt;bindings&gt; [domain]</pre>
 *
 * Users are {@code u000000}, {@code u000001}, …, plus the names bench/compare.py uses ({@code sink},
 * {@code off00000}, {@code s000}…{@code s099}, {@code p0}, {@code p0000}…{@code p0019},
 * {@code w0000}…{@code w0999}), so that a compare run can use the data set as it is.
 */
public final class ScaleDataSet {

  private static final int BATCH = 1000;
  /** Writes in flight at once through the batchers (each batcher takes up to 500 per bulk). */
  private static final int IN_FLIGHT = 1000;

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    int users = Integer.parseInt(args[1]);
    int buddies = Integer.parseInt(args[2]);
    int bindings = Integer.parseInt(args[3]);
    String domain = args.length > 4 ? args[4] : "uc.test";
    Vertx vertx = Vertx.vertx();
    long began = System.nanoTime();
    try (MongoStore store = MongoStore.open(new SwitchboardConfig.Store(dir, Optional.empty(), "switchboard"))) {
      List<String> names = names(users);
      Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
      List<String> deviceIds = new ArrayList<>(users);
      for (int i = 0; i < users; i++) {
        deviceIds.add(UUID.nameUUIDFromBytes(("device-" + i).getBytes()).toString());
      }
      // Four collections, four writers at once: the embedded server locks per collection.
      ExecutorService writers = Executors.newFixedThreadPool(4);
      List<CompletableFuture<Void>> phases = List.of(CompletableFuture.runAsync(() -> {
        MongoUserStore userStore = new MongoUserStore(vertx, store);
        userStore.createIndexes();
        inBatches(names.size(), i -> {
          String u = names.get(i);
          return new User(u, "User " + u, String.valueOf(1_000_000 + i), Role.USER, true, null,
              Digest.ha1s(u, domain, u + "-sip-pw"), now, now);
        }, userStore::createAll);
        report("users", names.size(), began);
      }, writers), CompletableFuture.runAsync(() -> {
        MongoDeviceStore deviceStore = new MongoDeviceStore(vertx, store);
        deviceStore.createIndexes();
        inBatches(users, i -> new Device(deviceIds.get(i), names.get(i), Device.Kind.DESK_PHONE, "yealink", "T54W",
            String.format("02%010x", i), "ep" + names.get(i), "sip-secret-" + i, "token-" + UUID.randomUUID(),
            null, now, now), deviceStore::createAll);
        report("devices", users, began);
      }, writers), CompletableFuture.runAsync(() -> {
        // In bulk, in MongoPresenceStore's own shape (its compare-and-set writes one profile at a time).
        MongoCollection<Document> profiles = store.database().getCollection("presence");
        inBatches(users, i -> MongoPresenceStore.toDocument(profile(names, users, i, buddies)), batch -> {
          profiles.insertMany(batch);
          store.makeDurable();
          return Future.succeededFuture();
        });
        report("presence profiles (" + ((long) users * buddies) + " buddy relations)", users, began);
      }, writers), CompletableFuture.runAsync(() -> {
        MongoBindingStore bindingStore = new MongoBindingStore(vertx, store);
        Instant expires = now.plus(1, ChronoUnit.DAYS);
        int perUser = Math.max(1, (bindings + users - 1) / users);
        inFlight(bindings, n -> {
          int i = n / perUser;
          int which = n % perUser;
          String u = names.get(i % users);
          String contact = "sip:" + u + "@127.0.0.1:" + (20_000 + which) + ";transport=udp";
          return bindingStore.save(new Binding(u, contact, contact, expires, "scale-" + n, 1, 1f, "ScaleDataSet",
              List.of("text/plain"), "udp", "127.0.0.1:" + (20_000 + which), which == 1 ? deviceIds.get(i % users) : null));
        });
        report("bindings", bindings, began);
      }, writers));
      try {
        CompletableFuture.allOf(phases.toArray(CompletableFuture[]::new)).join();
      } finally {
        writers.shutdown();
      }
      // The built-in admin, as a server's first start makes it (password bench-admin-pw): a restart finds it.
      await(new UserAccounts(vertx, new MongoUserStore(vertx, store), domain).ensureAdmin(Optional.of("bench-admin-pw")));
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().join();
    }
  }

  /** User i's profile: {@code buddies} others, spread over the whole office (1,000,000 relations for 100,000 users). */
  private static PresenceProfile profile(List<String> names, int users, int i, int buddies) {
    List<PresenceProfile.Buddy> list = new ArrayList<>(buddies);
    for (int k = 1; k <= buddies; k++) {
      String buddy = names.get((int) ((i + (long) k * 7919) % users));
      list.add(new PresenceProfile.Buddy(buddy, k <= 3 ? "Team" : "Office", "User " + buddy));
    }
    return new PresenceProfile(names.get(i), null, List.of(), list, List.of(), 1);
  }

  /** The u-users first (their count is what the caller asked for), then the harness's names. */
  private static List<String> names(int users) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < users; i++) {
      out.add(String.format("u%06d", i));
    }
    out.add("sink");
    out.add("off00000");
    out.add("p0");
    for (int i = 0; i < 100; i++) {
      out.add(String.format("s%03d", i));
    }
    for (int i = 0; i < 20; i++) {
      out.add(String.format("p%04d", i));
    }
    for (int i = 0; i < 1000; i++) {
      out.add(String.format("w%04d", i));
    }
    return out;
  }

  private interface BatchWriter<T> {
    Future<Void> write(List<T> batch);
  }

  private static <T> void inBatches(int count, IntFunction<T> make, BatchWriter<T> writer) {
    for (int from = 0; from < count; from += BATCH) {
      List<T> batch = new ArrayList<>(BATCH);
      for (int i = from; i < Math.min(count, from + BATCH); i++) {
        batch.add(make.apply(i));
      }
      await(writer.write(batch));
    }
  }

  private static void inFlight(int count, IntFunction<Future<?>> write) {
    for (int from = 0; from < count; from += IN_FLIGHT) {
      List<Future<?>> pending = new ArrayList<>(IN_FLIGHT);
      for (int i = from; i < Math.min(count, from + IN_FLIGHT); i++) {
        pending.add(write.apply(i));
      }
      await(Future.all(pending));
    }
  }

  private static <T> T await(Future<T> f) {
    return f.toCompletionStage().toCompletableFuture().join();
  }

  private static void report(String what, int count, long began) {
    System.out.printf("scale: %,d %s written (%.1f s so far)%n", count, what, (System.nanoTime() - began) / 1e9);
  }
}
