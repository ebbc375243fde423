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

  @Test
  void aNodeThatLeftLosesItsBindingsOnTheSurvivorsWithoutAnAnnouncement() throws Exception {
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
    Instant expires = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS).plusSeconds(300);
    Binding onA = new Binding("bob", "sip:bob@127.0.0.1:5099", "sip:bob@127.0.0.1:5099", expires,
        "call-1", 1, 1f, "SIPp", List.of(), "udp", "127.0.0.1:5099", null);
    Binding onB = new Binding("bob", "sip:bob@127.0.0.1:5098", "sip:bob@127.0.0.1:5098", expires,
        "call-2", 1, 1f, "SIPp", List.of(), "udp", "127.0.0.1:5098", null);
    Future<JsonObject> seen = nextChange();
    on(() -> a.put(onA, a.mark()));
    seen.await(20, TimeUnit.SECONDS);
    Future<JsonObject> seenToo = nextChange();
    on(() -> b.put(onB, b.mark()));
    seenToo.await(20, TimeUnit.SECONDS);
    assertEquals(2, b.bindings("bob").size(), "B knows A's binding and its own");
    int before = announced.size();

    // A is killed: B (the survivor) is told by the cluster.
    assertEquals(1, on(() -> b.nodeLeft("node-a")));
    assertEquals(List.of(b.find("bob", onB.key())), b.bindings("bob"), "only the binding held by B is left");
    assertNull(store.saved.get("bob|" + onA.key()), "A's binding removed from the store");
    assertEquals("node-b", store.saved.get("bob|" + onB.key()).node(), "B's binding still stored");
    on(() -> Future.succeededFuture()); // anything queued on the context is delivered
    assertEquals(before, announced.size(), "no registration event: the phone re-registers elsewhere, no false offline");
    assertEquals(0, on(() -> b.nodeLeft("node-b")), "a node never drops its own");
  }
}
