package io.switchboard.server;

import io.switchboard.api.sip.BindingsQuery;
import io.switchboard.api.Caller;
import io.switchboard.api.im.ImHistoryQuery;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.api.EventAddresses;
import io.switchboard.api.ImSend;
import io.switchboard.core.config.SwitchboardConfig;
import io.switchboard.core.testing.FreePorts;
import io.switchboard.core.testing.Sipp;
import io.switchboard.core.testing.TestConfigs;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClientSession;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stop and start in one JVM (one Vertx): a stopped Switchboard leaves no handler on the event bus,
 * so the next one answers every request alone, with its own state.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
class RestartInOneVertxTest {

  private Switchboard switchboard;

  @AfterEach
  void stop() {
    if (switchboard != null) {
      switchboard.stop().await();
    }
  }

  /** Every address of the catalogue (a prefix such as CONSOLE_DELIVER completed with a username). */
  private static List<String> everyAddress() throws IllegalAccessException {
    List<String> out = new ArrayList<>();
    for (Field f : EventAddresses.class.getFields()) {
      if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
        String address = (String) f.get(null);
        out.add(address.endsWith(".") ? address + "carol" : address);
      }
    }
    return out;
  }

  /** The addresses something still listens on: a request to any other fails at once with NO_HANDLERS. */
  private static List<String> stillHandled(Vertx vertx) throws IllegalAccessException {
    List<String> handled = new ArrayList<>();
    for (String address : everyAddress()) {
      try {
        vertx.eventBus().request(address, new JsonObject(), new DeliveryOptions().setSendTimeout(3000)).await();
        handled.add(address + " (answered)");
      } catch (ReplyException e) {
        if (e.failureType() != ReplyFailure.NO_HANDLERS) {
          handled.add(address + " (" + e.failureType() + ")");
        }
      }
    }
    return handled;
  }

  @Test
  void aStoppedSwitchboardLeavesNoHandlerAndTheNextAnswersAlone(Vertx vertx, @TempDir Path dir) throws Exception {
    int sipPort = FreePorts.udpAndTcp();
    SwitchboardConfig config = TestConfigs.loopback(dir, sipPort, 0, Map.of("admin.password", "admin-password-1", "im.fork-timeout", "1"));
    switchboard = new Switchboard(vertx, config, line -> { });
    switchboard.start().await();
    // What the probe sees of a handler: an answer.
    assertTrue(vertx.eventBus().<JsonObject>request(EventAddresses.SIP_BINDINGS,
        new BindingsQuery(Caller.admin("admin"), null).toJson()).await().body()
        .containsKey("bindings"));
    switchboard.stop().await();
    assertEquals(List.of(), stillHandled(vertx), "handlers left behind by the stopped Switchboard");

    switchboard = new Switchboard(vertx, config, line -> { });
    switchboard.start().await();
    WebClientSession admin = Api.login(vertx, switchboard, "admin", "admin-password-1");
    Api.createUsers(admin, new String[] {"carol", "1003"});
    Sipp.Result registered = Sipp.scenario("register.xml", sipPort).key("domain", config.sip().domain())
        .key("aor", "carol").key("contact", "carol-desk").key("expires", "300").auth("carol", "carol-sip-pw").run();
    assertTrue(registered.passed(), registered::toString);

    // Point to point: a handler left over would take every other request, and answer from the old state.
    for (int i = 0; i < 4; i++) {
      JsonObject bindings = vertx.eventBus().<JsonObject>request(EventAddresses.SIP_BINDINGS,
          new BindingsQuery(Caller.admin("admin"), "carol").toJson()).await().body();
      assertEquals(1, bindings.getJsonArray("bindings").size(), "request " + i + ": " + bindings.encode());
      JsonObject sent = vertx.eventBus().<JsonObject>request(EventAddresses.IM_SEND,
          new ImSend(Caller.user("admin"), "carol", "hello " + i).toJson()).await().body();
      assertEquals("carol", sent.getString("to"), sent.encode());
    }
    JsonObject history = vertx.eventBus().<JsonObject>request(EventAddresses.IM_HISTORY,
        new ImHistoryQuery(Caller.user("carol"), "admin", null, 50).toJson()).await().body();
    assertEquals(4, history.getJsonArray("messages").size(), "each message kept once: " + history.encode());
  }
}
