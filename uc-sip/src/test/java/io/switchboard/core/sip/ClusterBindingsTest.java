package io.switchboard.core.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.api.EventAddresses;
import io.switchboard.api.RegistrationEvent;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import io.switchboard.core.testing.SettableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two nodes' location services on one bus (as a clustered bus delivers a publish to every node), one
 * shared store: a binding made on A carries A's id and reaches B's memory; B knows it is held
 * elsewhere; its removal reaches B; a revocation every node hears is announced once, by its own node.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ClusterBindingsTest {

  private final Vertx vertx = Vertx.vertx();
  private final Context context = vertx.getOrCreateContext();

  @AfterEach
  void close() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  /** A shared store in memory. */
  static final class SharedStore implements BindingStore {
    final Map<String, Binding> saved = new ConcurrentHashMap<>();

    @Override
    public Future<List<Binding>> loadAll() {
      return Future.succeededFuture(new ArrayList<>(saved.values()));
    }

    @Override
    public Future<Void> save(Binding b) {
      saved.put(b.username() + "|" + b.key(), b);
      return Future.succeededFuture();
    }

    @Override
    public Future<Void> remove(String username, String key) {
      saved.remove(username + "|" + key);
      return Future.succeededFuture();
    }

    @Override
    public Future<Void> removeAll(String username) {
      saved.keySet().removeIf(k -> k.startsWith(username + "|"));
      return Future.succeededFuture();
    }
  }

  private <T> T on(java.util.concurrent.Callable<Future<T>> work) throws Exception {
    Promise<T> p = Promise.promise();
    context.runOnContext(v -> {
      try {
        work.call().onComplete(p);
      } catch (Exception e) {
        p.fail(e);
      }
    });
    return p.future().await(20, TimeUnit.SECONDS);
  }

  /** Completes with the next binding change seen after both nodes' consumers (registered after them, same context). */
  private Future<JsonObject> nextChange() throws Exception {
    Promise<JsonObject> seen = Promise.promise();
    on(() -> {
      var c = vertx.eventBus().<JsonObject>consumer(io.switchboard.api.EventAddresses.BINDING_CHANGED);
      c.handler(m -> {
        c.unregister();
        seen.tryComplete(m.body());
      });
      return c.completion();
    });
    return seen.future();
  }

  @Test
  void aBindingMadeOnAReachesBAndAnnouncementsAreNotDoubled() throws Exception {
    SharedStore store = new SharedStore();
    LocationService a = new LocationService(vertx, store, Clock.systemUTC(), Duration.ZERO);
    LocationService b = new LocationService(vertx, store, Clock.systemUTC(), Duration.ZERO);
    List<RegistrationEvent> announced = new CopyOnWriteArrayList<>();
    on(() -> {
      a.inCluster("node-a");
      b.inCluster("node-b");
      return vertx.eventBus().<JsonObject>consumer(EventAddresses.REGISTRATION,
          m -> announced.add(RegistrationEvent.fromJson(m.body()))).completion()
          .compose(x -> a.start()).compose(x -> b.start()).compose(x -> Future.all(a.allLoaded(), b.allLoaded()))
          .mapEmpty();
    });

    // Expiry in milliseconds, as the store and the bus carry it.
    Instant expires = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS).plusSeconds(300);
    Binding phone = new Binding("bob", "sip:bob@127.0.0.1:5099", "sip:bob@127.0.0.1:5099", expires,
        "call-1", 1, 1f, "SIPp", List.of(), "udp", "127.0.0.1:5099", null);
    Future<JsonObject> added = nextChange();
    assertTrue(on(() -> a.put(phone, a.mark())));
    added.await(20, TimeUnit.SECONDS);
    assertEquals("node-a", a.find("bob", phone.key()).node(), "stamped with the node that took the REGISTER");
    assertEquals("node-a", store.saved.get("bob|" + phone.key()).node(), "stored with it");
    Binding seenOnB = b.find("bob", phone.key());
    assertEquals(a.find("bob", phone.key()), seenOnB, "B's view has A's binding");
    assertTrue(b.heldElsewhere(seenOnB));
    assertFalse(a.heldElsewhere(seenOnB));
    assertEquals(1, announced.size(), "one REGISTERED, from A");

    // A revocation reaches every node: each removes, only A announces.
    on(() -> Future.all(b.remove("bob", phone.key(), RegistrationEvent.Change.REVOKED),
        a.remove("bob", phone.key(), RegistrationEvent.Change.REVOKED)).mapEmpty());
    on(() -> Future.succeededFuture()); // the announcements queued on the context are delivered
    assertNull(a.find("bob", phone.key()));
    assertNull(b.find("bob", phone.key()));
    assertEquals(List.of(RegistrationEvent.Change.REGISTERED, RegistrationEvent.Change.REVOKED),
        announced.stream().map(RegistrationEvent::change).toList());

    // A REGISTER again on A, then its removal (an unREGISTER): B forgets it too.
    Future<JsonObject> again = nextChange();
    on(() -> a.put(phone, a.mark()));
    again.await(20, TimeUnit.SECONDS);
    assertEquals("node-a", b.find("bob", phone.key()).node());
    Future<JsonObject> gone = nextChange();
    on(() -> a.remove("bob", phone.key(), RegistrationEvent.Change.UNREGISTERED));
    assertEquals("UNREGISTERED", gone.await(20, TimeUnit.SECONDS).getString("change"));
    assertNull(b.find("bob", phone.key()), "B drops what A removed");
    on(() -> Future.all(a.stop(), b.stop()).mapEmpty());
  }

  /** Checks again on every sweep's turn (a timer on the test's context) until {@code check} holds. */
  private void awaitTrue(String what, java.util.function.BooleanSupplier check) throws Exception {
    Promise<Void> holds = Promise.promise();
    long timer = vertx.setPeriodic(100, id -> {
      if (check.getAsBoolean()) {
        holds.tryComplete();
      }
    });
    try {
      holds.future().await(20, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError(what + " within 20 s", e);
    } finally {
      vertx.cancelTimer(timer);
    }
  }

  @Test
  void aNodeThatLeftKeepsItsBindingsUntilTheirExpiryWhichIsAnnouncedOnce() throws Exception {
    SharedStore store = new SharedStore();
    SettableClock clock = new SettableClock();
    LocationService a = new LocationService(vertx, store, clock, Duration.ZERO);
    LocationService b = new LocationService(vertx, store, clock, Duration.ZERO);
    LocationService c = new LocationService(vertx, store, clock, Duration.ZERO);
    List<RegistrationEvent> announced = new CopyOnWriteArrayList<>();
    on(() -> {
      a.inCluster("node-a");
      b.inCluster("node-b");
      c.inCluster("node-c");
      return vertx.eventBus().<JsonObject>consumer(EventAddresses.REGISTRATION,
          m -> announced.add(RegistrationEvent.fromJson(m.body()))).completion()
          .compose(x -> a.start()).compose(x -> b.start()).compose(x -> c.start())
          .compose(x -> Future.all(a.allLoaded(), b.allLoaded(), c.allLoaded())).mapEmpty();
    });
    Instant now = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    Binding onA = new Binding("bob", "sip:bob@127.0.0.1:5099", "sip:bob@127.0.0.1:5099", now.plusSeconds(20),
        "call-1", 1, 1f, "SIPp", List.of(), "udp", "127.0.0.1:5099", null);
    Binding onB = new Binding("bob", "sip:bob@127.0.0.1:5098", "sip:bob@127.0.0.1:5098", now.plusSeconds(600),
        "call-2", 1, 1f, "SIPp", List.of(), "udp", "127.0.0.1:5098", null);
    Binding carolOnA = new Binding("carol", "sip:carol@127.0.0.1:5097", "sip:carol@127.0.0.1:5097", now.plusSeconds(20),
        "call-3", 1, 1f, "SIPp", List.of(), "udp", "127.0.0.1:5097", null);
    for (var put : List.<java.util.concurrent.Callable<Future<Boolean>>>of(() -> a.put(onA, a.mark()),
        () -> b.put(onB, b.mark()), () -> a.put(carolOnA, a.mark()))) {
      Future<JsonObject> seen = nextChange();
      on(put);
      seen.await(20, TimeUnit.SECONDS);
    }
    assertEquals(2, b.bindings("bob").size(), "B knows A's binding and its own");
    on(a::stop); // A is killed: it expires nothing any more
    int before = announced.size();

    // A is gone: B and C (the survivors) are told by the cluster. A's bindings stay until their expiry.
    assertEquals(2, on(() -> b.nodeLeft("node-a")));
    assertEquals(2, on(() -> c.nodeLeft("node-a")));
    assertEquals(0, on(() -> b.nodeLeft("node-b")), "a node never marks itself gone");
    assertEquals(2, b.bindings("bob").size(), "A's binding kept in memory");
    assertEquals(2, c.bindings("bob").size());
    assertTrue(b.onGoneNode(b.find("bob", onA.key())), "marked: nothing is sent through A");
    assertFalse(b.onGoneNode(b.find("bob", onB.key())));
    assertEquals("node-a", store.saved.get("bob|" + onA.key()).node(), "A's binding kept in the store");
    on(() -> Future.succeededFuture()); // anything queued on the context is delivered
    assertEquals(before, announced.size(), "no registration event at the kill: no false offline");

    // Carol's phone re-registers on B in time: its binding is B's now.
    Future<JsonObject> moved = nextChange();
    Binding carolAgain = new Binding("carol", carolOnA.key(), carolOnA.contact(), now.plusSeconds(600), "call-4", 1, 1f,
        "SIPp", List.of(), "udp", "127.0.0.1:5097", null);
    on(() -> b.put(carolAgain, b.mark()));
    moved.await(20, TimeUnit.SECONDS);
    assertEquals("node-b", c.find("carol", carolOnA.key()).node());

    // Past the expiry: the survivors' sweeps find A's binding expired; one of them removes and announces it.
    clock.advance(Duration.ofSeconds(21));
    awaitTrue("A's binding expired on both survivors", () -> b.find("bob", onA.key()) == null
        && c.find("bob", onA.key()) == null && !store.saved.containsKey("bob|" + onA.key()));
    on(() -> Future.succeededFuture());
    List<RegistrationEvent> expired = announced.subList(before, announced.size()).stream()
        .filter(e -> e.change() == RegistrationEvent.Change.EXPIRED).toList();
    assertEquals(1, expired.size(), () -> "announced once: " + announced);
    assertEquals("bob", expired.get(0).username());
    assertEquals(1, expired.get(0).activeBindings(), "bob still has B's binding");
    assertEquals("node-b", store.saved.get("bob|" + onB.key()).node(), "B's own binding untouched");
    assertEquals("node-b", store.saved.get("carol|" + carolOnA.key()).node(), "carol's new binding untouched");
    assertEquals(1, b.bindings("carol").size());
    assertTrue(announced.stream().noneMatch(e -> e.username().equals("carol") && e.change() == RegistrationEvent.Change.EXPIRED),
        "carol, who moved in time, never expired");
    on(() -> Future.all(a.stop(), b.stop(), c.stop()).mapEmpty());
  }
}
