package io.switchboard.core.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.api.EventAddresses;
import io.switchboard.api.RegistrationEvent;
import io.switchboard.api.UserEvent;
import io.switchboard.core.model.Device;
import io.switchboard.core.model.UserChanges;
import io.switchboard.core.security.Digest;
import io.switchboard.core.testing.RawSip;
import io.switchboard.core.testing.SipTestServer;
import io.switchboard.core.testing.Sipp;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The registrar driven by SIPp and by a raw UDP socket, asserting on the wire and in the location service. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
class RegistrarTest {

  private SipTestServer server;

  @BeforeEach
  void start(Vertx vertx, @TempDir Path dir) throws Exception {
    server = new SipTestServer(vertx, dir, Map.of());
    server.start().await();
    server.createUser("alice", "1001", "alice-sip-secret").await();
    server.createUser("bob", "1002", "bob-sip-secret").await();
  }

  @AfterEach
  void stop() {
    server.stop().await();
  }

  /** Each device keeps its own local port, so its contact URI stays the same across runs. */
  private final Map<String, Integer> devicePorts = new java.util.HashMap<>();

  private Sipp register(String scenario, String user, String aor, String contact, int expires) throws Exception {
    int port = devicePorts.computeIfAbsent(contact, c -> {
      try {
        return io.switchboard.core.testing.FreePorts.udpAndTcp();
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    return Sipp.scenario(scenario, server.sipPort()).localPort(port)
        .key("domain", server.domain()).key("aor", aor).key("contact", contact)
        .key("expires", String.valueOf(expires)).auth(user, user + "-sip-secret");
  }

  private List<Binding> bindings(String user) {
    return server.sip.location().bindings(user);
  }

  @Test
  void registerIsChallengedThenAccepted() throws Exception {
    Promise<JsonObject> event = Promise.promise();
    server.vertx.eventBus().<JsonObject>consumer(EventAddresses.REGISTRATION, m -> event.tryComplete(m.body()));

    Sipp.Result r = register("register.xml", "alice", "alice", "alice-desk", 120).run();

    assertTrue(r.passed(), r::toString);
    assertTrue(r.messages().contains("SIP/2.0 401 Unauthorized"), r::toString);
    assertTrue(r.messages().contains("algorithm=MD5") && !r.messages().contains("algorithm=SHA-256"),
        "MD5 alone by default: offering SHA-256 too breaks deployed phones");
    List<Binding> b = bindings("alice");
    assertEquals(1, b.size());
    assertTrue(b.get(0).contact().contains("alice-desk@127.0.0.1"), b.toString());
    RegistrationEvent e = RegistrationEvent.fromJson(event.future().await(10, TimeUnit.SECONDS));
    assertEquals("alice", e.username());
    assertEquals(RegistrationEvent.Change.REGISTERED, e.change());
  }

  @Test
  void extensionAddressReachesTheSameUser() throws Exception {
    Sipp.Result r = register("register.xml", "alice", "1001", "alice-soft", 120).run();
    assertTrue(r.passed(), r::toString);
    assertEquals(1, bindings("alice").size());
  }

  @Test
  void twoDevicesOfOneUserAreBothBound() throws Exception {
    assertTrue(register("register.xml", "alice", "alice", "alice-desk", 300).run().passed());
    Sipp.Result pda = register("register.xml", "alice", "1001", "alice-pda", 300).run();
    assertTrue(pda.passed(), pda::toString);
    assertEquals(2, bindings("alice").size());
    String last200 = pda.messages().substring(pda.messages().lastIndexOf("SIP/2.0 200 OK"));
    assertTrue(last200.contains("alice-desk@") && last200.contains("alice-pda@"), "200 lists both: " + last200);
  }

  @Test
  void refreshKeepsOneBinding() throws Exception {
    assertTrue(register("register.xml", "alice", "alice", "alice-desk", 120).run().passed());
    Promise<JsonObject> refreshed = Promise.promise();
    server.vertx.eventBus().<JsonObject>consumer(EventAddresses.REGISTRATION, m -> {
      if ("REFRESHED".equals(m.body().getString("change"))) {
        refreshed.tryComplete(m.body());
      }
    });
    assertTrue(register("register.xml", "alice", "alice", "alice-desk", 600).run().passed());
    assertEquals(1, refreshed.future().await(10, TimeUnit.SECONDS).getInteger("activeBindings"));
    assertEquals(1, bindings("alice").size());
    assertTrue(bindings("alice").get(0).remainingSeconds(java.time.Instant.now()) > 500);
  }

  @Test
  void expiresZeroRemovesTheBinding() throws Exception {
    assertTrue(register("register.xml", "alice", "alice", "alice-desk", 120).run().passed());
    assertTrue(register("register.xml", "alice", "alice", "alice-pda", 120).run().passed());
    Sipp.Result r = register("register.xml", "alice", "alice", "alice-desk", 0).run();
    // the 200 still lists the PDA, which the scenario checks; the desk phone is gone
    assertTrue(r.passed(), r::toString);
    assertEquals(1, bindings("alice").size());
    assertTrue(bindings("alice").get(0).contact().contains("alice-pda"));
  }

  @Test
  void wildcardRemovesEveryBinding() throws Exception {
    assertTrue(register("register.xml", "alice", "alice", "alice-desk", 120).run().passed());
    assertTrue(register("register.xml", "alice", "alice", "alice-pda", 120).run().passed());
    Sipp.Result r = Sipp.scenario("unregister-all.xml", server.sipPort()).key("domain", server.domain())
        .key("aor", "alice").auth("alice", "alice-sip-secret").run();
    assertTrue(r.passed(), r::toString);
    assertEquals(0, bindings("alice").size());
  }

  @Test
  void wrongPasswordIsForbiddenAfterTheChallenge() throws Exception {
    Sipp.Result r = register("register-forbidden.xml", "alice", "alice", "alice-desk", 120)
        .auth("alice", "not-the-password").run();
    assertTrue(r.passed(), r::toString);
    assertTrue(r.messages().contains("SIP/2.0 403 Forbidden"));
    assertEquals(0, bindings("alice").size());
  }

  /** A desk phone of alice's as provisioning stores it: endpoint 1001, its own SIP secret. */
  private Device alicesPhone() {
    java.time.Instant now = java.time.Instant.now();
    return server.devices.create(new Device("dev-1", "alice", Device.Kind.DESK_PHONE, "yealink", "T46U",
        "001565aabbcc", "1001", "phone-secret-1", "token-1", null, now, now)).await();
  }

  @Test
  void aDeviceRegistersItsOwnerWithItsEndpointAndSecret() throws Exception {
    Device phone = alicesPhone();
    Sipp.Result r = register("register.xml", "1001", "alice", "alice-desk", 120).auth("1001", "phone-secret-1").run();
    assertTrue(r.passed(), r::toString);
    List<Binding> b = bindings("alice");
    assertEquals(1, b.size(), "the binding is the owner's");
    assertEquals(phone.id(), b.get(0).device(), "and names the device");

    // The user's own credentials still work, and their binding names no device.
    assertTrue(register("register.xml", "alice", "alice", "alice-soft", 120).run().passed());
    assertEquals(null, bindings("alice").stream().filter(x -> x.contact().contains("alice-soft")).findFirst()
        .orElseThrow().device());

    // Deleting the device takes its binding, not the user's own.
    Promise<JsonObject> revoked = Promise.promise();
    server.vertx.eventBus().<JsonObject>consumer(EventAddresses.REGISTRATION, m -> {
      if ("REVOKED".equals(m.body().getString("change"))) {
        revoked.tryComplete(m.body());
      }
    });
    server.devices.delete(phone.id()).await();
    server.vertx.eventBus().publish(EventAddresses.DEVICE_CHANGED,
        new io.switchboard.api.DeviceEvent(phone.id(), phone.username(), io.switchboard.api.DeviceEvent.Change.DELETED, phone.toJson(null)).toJson());
    assertTrue(revoked.future().await(10, TimeUnit.SECONDS).getString("contact").contains("alice-desk"));
    assertEquals(1, bindings("alice").size());
  }

  @Test
  void aDeviceSecretIsCheckedAndRegistersOnlyItsOwner() throws Exception {
    alicesPhone();
    Sipp.Result wrong = register("register-forbidden.xml", "1001", "alice", "alice-desk", 120)
        .auth("1001", "not-the-secret").run();
    assertTrue(wrong.passed(), wrong::toString);
    assertTrue(wrong.messages().contains("SIP/2.0 403 Forbidden"));
    Sipp.Result userPassword = register("register-forbidden.xml", "1001", "alice", "alice-desk", 120)
        .auth("1001", "alice-sip-secret").run();
    assertTrue(userPassword.passed(), "the user's password is not the device's: " + userPassword);
    Sipp.Result bobs = register("register-forbidden.xml", "1001", "bob", "bob-desk", 120)
        .auth("1001", "phone-secret-1").run();
    assertTrue(bobs.passed(), "alice's phone cannot register bob: " + bobs);
    assertEquals(0, bindings("alice").size() + bindings("bob").size());
  }

  @Test
  void unknownUserIsForbidden() throws Exception {
    Sipp.Result r = register("register-forbidden.xml", "mallory", "mallory", "m", 120).run();
    assertTrue(r.passed(), r::toString);
  }

  @Test
  void registeringForAnotherUserIsForbidden() throws Exception {
    Sipp.Result r = register("register-forbidden.xml", "alice", "bob", "alice-desk", 120).run();
    assertTrue(r.passed(), r::toString);
    assertEquals(0, bindings("bob").size());
  }

  @Test
  void tooBriefIntervalIs423WithMinExpires() throws Exception {
    Sipp.Result r = register("register-too-brief.xml", "alice", "alice", "alice-desk", 10).run();
    assertTrue(r.passed(), r::toString);
    assertTrue(r.messages().contains("Min-Expires: 60"), r::toString);
    assertEquals(0, bindings("alice").size());
  }

  @Test
  void registersOverTcp() throws Exception {
    Sipp.Result r = register("register.xml", "bob", "1002", "bob-desk", 120).tcp().run();
    assertTrue(r.passed(), r::toString);
    assertEquals("tcp", bindings("bob").get(0).transport());
  }

  @Test
  void disabledUserLosesBindingsAndCannotRegister() throws Exception {
    assertTrue(register("register.xml", "alice", "alice", "alice-desk", 120).run().passed());
    Promise<JsonObject> revoked = Promise.promise();
    server.vertx.eventBus().<JsonObject>consumer(EventAddresses.REGISTRATION, m -> {
      if ("REVOKED".equals(m.body().getString("change"))) {
        revoked.tryComplete(m.body());
      }
    });
    UserChanges disable = new UserChanges(Optional.empty(), Optional.empty(), Optional.empty(), Optional.of(false),
        Optional.empty(), Optional.empty());
    server.users.update("alice", disable).await();
    server.vertx.eventBus().publish(EventAddresses.USER_CHANGED,
        new UserEvent("alice", UserEvent.Change.UPDATED, false).toJson());
    assertEquals(0, revoked.future().await(10, TimeUnit.SECONDS).getInteger("activeBindings"));
    assertEquals(0, bindings("alice").size());
    assertTrue(register("register-forbidden.xml", "alice", "alice", "alice-desk", 120).run().passed());
  }

  @Test
  void bindingsSurviveARestart(Vertx vertx, @TempDir Path dir) throws Exception {
    assertTrue(register("register.xml", "alice", "alice", "alice-desk", 300).run().passed());
    Path data = server.config.store().dataDir();
    server.stop().await();
    server = new SipTestServer(vertx, data, Map.of());
    server.start().await();
    server.sip.location().allLoaded().await(); // the stored bindings are read in the background
    assertEquals(1, bindings("alice").size());
    assertTrue(bindings("alice").get(0).contact().contains("alice-desk"));
  }

  @Test
  void garbageIsSurvivedAndAGoodRegisterStillWorks() throws Exception {
    try (RawSip raw = new RawSip(server.sipPort())) {
      byte[] noise = new byte[512];
      for (int i = 0; i < 50; i++) {
        ThreadLocalRandom.current().nextBytes(noise);
        raw.send(noise);
      }
      raw.send("\r\n\r\n");
      raw.send("REGISTER sip:x SIP/2.0\n\n");
      raw.send("NOT SIP AT ALL\n\n");
      raw.send(new byte[0]);
      // All mandatory headers present but the CSeq cannot be parsed: RFC 3261 §8.2 says 400.
      raw.send("""
          REGISTER sip:switchboard.test SIP/2.0
          Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bKbadcseq1
          Max-Forwards: 70
          From: <sip:alice@switchboard.test>;tag=1
          To: <sip:alice@switchboard.test>
          Call-ID: bad-cseq@127.0.0.1
          CSeq: banana REGISTER
          Content-Length: 0

          """.formatted(raw.localPort()));
      String answer = raw.receiveFinal();
      assertNotNull(answer, "malformed request gets an answer");
      assertEquals(400, RawSip.status(answer), answer);
    }
    Sipp.Result r = register("register.xml", "alice", "alice", "alice-desk", 120).run();
    assertTrue(r.passed(), r::toString);
  }

  @Test
  void optionsAndUnknownMethods() throws Exception {
    Sipp.Result options = Sipp.scenario("options.xml", server.sipPort()).key("domain", server.domain()).run();
    assertTrue(options.passed(), options::toString);
    try (RawSip raw = new RawSip(server.sipPort())) {
      raw.send(request("FROBNICATE", raw.localPort(), "frob1", ""));
      String frob = raw.receiveFinal();
      assertEquals(501, RawSip.status(frob), frob);
      raw.send(request("INVITE", raw.localPort(), "inv1", ""));
      String invite = raw.receiveFinal();
      assertEquals(405, RawSip.status(invite), invite);
      assertTrue(invite.contains("Allow:") && invite.contains("REGISTER"), invite);
      raw.send(request("OPTIONS", raw.localPort(), "req1", "Require: 100rel\n"));
      String require = raw.receiveFinal();
      assertEquals(420, RawSip.status(require), require);
      assertTrue(require.contains("Unsupported: 100rel"), require);
    }
  }

  @Test
  void sha256DigestRegistersWhenOffered(Vertx vertx, @TempDir Path dir) throws Exception {
    server.stop().await();
    server = new SipTestServer(vertx, dir, Map.of("sip.auth.algorithms", "SHA-256,MD5"));
    server.start().await();
    server.createUser("alice", "1001", "alice-sip-secret").await();
    try (RawSip raw = new RawSip(server.sipPort())) {
      String contact = "<sip:alice-sha@127.0.0.1:" + raw.localPort() + ">";
      raw.send(register(raw.localPort(), 1, contact, ""));
      String challenge = raw.receiveFinal();
      assertEquals(401, RawSip.status(challenge), challenge);
      assertTrue(challenge.indexOf("algorithm=SHA-256") < challenge.indexOf("algorithm=MD5"), "in the configured order");
      String nonce = RawSip.param(challenge, "WWW-Authenticate: Digest", "nonce");
      String uri = "sip:switchboard.test";
      String ha1 = Digest.ha1(Digest.SHA_256, "alice", "switchboard.test", "alice-sip-secret");
      String response = Digest.response(Digest.SHA_256, ha1, nonce, "00000001", "c0ffee", "auth", "REGISTER", uri);
      String auth = "Authorization: Digest username=\"alice\", realm=\"switchboard.test\", nonce=\"" + nonce
          + "\", uri=\"" + uri + "\", response=\"" + response + "\", algorithm=SHA-256, qop=auth, nc=00000001, cnonce=\"c0ffee\"\n";
      raw.send(register(raw.localPort(), 2, contact, auth));
      String ok = raw.receiveFinal();
      assertEquals(200, RawSip.status(ok), ok);
      assertTrue(ok.contains("alice-sha@127.0.0.1"), ok);
    }
  }

  private static String request(String method, int port, String callId, String extra) {
    return """
        %s sip:switchboard.test SIP/2.0
        Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK%s
        Max-Forwards: 70
        From: <sip:probe@switchboard.test>;tag=p1
        To: <sip:switchboard.test>
        Call-ID: %s@127.0.0.1
        CSeq: 1 %s
        Contact: <sip:probe@127.0.0.1:%d>
        %sContent-Length: 0

        """.formatted(method, port, callId, callId, method, port, extra);
  }

  private static String register(int port, int cseq, String contact, String auth) {
    return """
        REGISTER sip:switchboard.test SIP/2.0
        Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bKsha%d
        Max-Forwards: 70
        From: <sip:alice@switchboard.test>;tag=sha
        To: <sip:alice@switchboard.test>
        Call-ID: sha256-test@127.0.0.1
        CSeq: %d REGISTER
        Contact: %s
        Expires: 300
        %sContent-Length: 0

        """.formatted(port, cseq, cseq, contact, auth);
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
