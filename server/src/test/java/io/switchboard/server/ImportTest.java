package io.switchboard.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.api.EventAddresses;
import io.switchboard.core.testing.FreePorts;
import io.switchboard.core.testing.TestConfigs;
import io.switchboard.telephony.FakeAsterisk;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClientSession;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code POST /api/import} over real HTTP: all or nothing. A file with bad rows names every one of
 * them and writes nothing; a good file makes users who can log in, their devices, and their
 * endpoints in the PJSIP file Asterisk includes.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
class ImportTest {

  static final String HEADER = "username,displayName,extension,password,sipPassword,role,kind,vendor,model,mac\n";

  private Switchboard switchboard;
  private FakeAsterisk asterisk;

  @AfterEach
  void stop() throws Exception {
    if (switchboard != null) {
      switchboard.stop().await();
    }
    if (asterisk != null) {
      asterisk.close();
    }
  }

  private WebClientSession start(Vertx vertx, Path dir) throws Exception {
    asterisk = new FakeAsterisk("uc", "ucsecret");
    switchboard = new Switchboard(vertx, TestConfigs.loopback(dir, FreePorts.udpAndTcp(), 0, Map.of(
        "admin.password", "admin-password", "ami.host", "127.0.0.1", "ami.port", String.valueOf(asterisk.port()),
        "ami.username", "uc", "ami.secret", "ucsecret")), s -> { });
    switchboard.start().await();
    return Api.login(vertx, switchboard, "admin", "admin-password");
  }

  static HttpResponse<Buffer> importCsv(WebClientSession admin, String csv) {
    return admin.post("/api/import").putHeader("Content-Type", "text/csv").sendBuffer(Buffer.buffer(csv)).await();
  }

  @Test
  void aFileWithBadRowsNamesEveryOneAndImportsNothing(Vertx vertx, @TempDir Path dir) throws Exception {
    WebClientSession admin = start(vertx, dir);
    String csv = HEADER
        + "dora,Dora,2001,dora-web-pw,dora-sip-pw,,desk-phone,yealink,T46U,00:15:65:00:00:01\n"
        + "eric,Eric,2002,eric-web-pw,,,softphone,,,\n"
        + "fay,Fay,2003,fay-web-pw,fay-sip-pw,,desk-phone,yealink,T46U,00:15:65\n"
        + "gus,Gus,2001,gus-web-pw,,,,,,\n"
        + "admin,Again,2005,admin-web-pw,,,,,,\n";
    HttpResponse<Buffer> r = importCsv(admin, csv);
    assertEquals(400, r.statusCode(), r.bodyAsString());
    JsonObject report = r.bodyAsJsonObject();
    assertEquals(0, report.getInteger("imported"));
    JsonArray errors = report.getJsonArray("errors");
    assertEquals(3, errors.size(), errors.encodePrettily());
    assertError(errors.getJsonObject(0), 4, "mac");
    assertError(errors.getJsonObject(1), 5, "extension");
    assertTrue(errors.getJsonObject(1).getString("message").contains("line 2"), errors.encode());
    assertError(errors.getJsonObject(2), 6, "username");

    for (String user : List.of("dora", "eric", "fay", "gus")) {
      Api.assertError(admin.get("/api/users/" + user).send().await(), 404, null);
    }
    assertEquals(1, admin.get("/api/users").send().await().bodyAsJsonObject().getJsonArray("users").size(),
        "only the admin");
  }

  @Test
  void aGoodFileMakesUsersDevicesAndEndpoints(Vertx vertx, @TempDir Path dir) throws Exception {
    WebClientSession admin = start(vertx, dir);
    String csv = HEADER
        + "dora,Dora,2001,dora-web-pw,dora-sip-pw,,desk-phone,yealink,T46U,00:15:65:00:00:01\n"
        + "dora,,,,,,softphone,,,\n"
        + "eric,\"Eric, the Red\",2002,eric-web-pw,,admin,,,,\n"
        + "fay,Fay,2003,fay-web-pw,fay-sip-pw,user,desk-phone,snom,D785,000413000003\n";
    HttpResponse<Buffer> r = importCsv(admin, csv);
    assertEquals(200, r.statusCode(), r.bodyAsString());
    JsonObject report = r.bodyAsJsonObject();
    assertEquals(4, report.getInteger("imported"));
    assertEquals(3, report.getInteger("users"));
    assertEquals(3, report.getInteger("devices"));

    // Created as the users API creates them: they log in with the password from the file.
    Api.login(vertx, switchboard, "dora", "dora-web-pw");
    WebClientSession eric = Api.login(vertx, switchboard, "eric", "eric-web-pw");
    JsonObject me = eric.get("/api/me").send().await().bodyAsJsonObject();
    assertEquals("Eric, the Red", me.getString("displayName"));
    assertEquals("admin", me.getString("role"));
    assertEquals(true, admin.get("/api/users/dora").send().await().bodyAsJsonObject().getBoolean("hasSipAccount"));

    JsonArray doras = admin.get("/api/users/dora/devices").send().await().bodyAsJsonObject().getJsonArray("devices");
    assertEquals(2, doras.size());
    assertEquals("001565000001", doras.getJsonObject(0).getString("mac"));
    assertEquals("2001", doras.getJsonObject(0).getString("endpoint"));
    assertEquals("2001-2", doras.getJsonObject(1).getString("endpoint"));

    List<AsteriskInStepTest.Section> sections = AsteriskInStepTest.awaitFile(asterisk, dir.resolve("pjsip_switchboard.conf"),
        s -> s.stream().filter(x -> x.type().equals("endpoint")).count() == 3);
    assertEquals(List.of("2001", "2001-2", "2003"), sections.stream().filter(x -> x.type().equals("endpoint"))
        .map(AsteriskInStepTest.Section::name).sorted().toList());

    // The same file again: every user is there already, nothing changes.
    HttpResponse<Buffer> again = importCsv(admin, csv);
    assertEquals(400, again.statusCode());
    assertEquals(3, again.bodyAsJsonObject().getJsonArray("errors").stream()
        .filter(e -> "username".equals(((JsonObject) e).getString("field"))).count());
  }

  @Test
  void usersImportedWithoutAWebPasswordSetOneThroughALink(Vertx vertx, @TempDir Path dir) throws Exception {
    WebClientSession admin = start(vertx, dir);
    String csv = HEADER
        + "hal,Hal,2001,,hal-sip-pw,,desk-phone,yealink,T46U,00:15:65:00:00:11\n"
        + "ida,Ida,2002,ida-web-pw,,,,,,\n"
        + "jo,Jo,2003,,,,softphone,,,\n";
    HttpResponse<Buffer> r = importCsv(admin, csv);
    assertEquals(200, r.statusCode(), r.bodyAsString());
    assertEquals(new JsonArray().add("hal").add("jo"), r.bodyAsJsonObject().getJsonArray("withoutPassword"));
    assertEquals(true, admin.get("/api/users/hal").send().await().bodyAsJsonObject().getBoolean("hasSipAccount"));
    Api.login(vertx, switchboard, "ida", "ida-web-pw");
    assertEquals(401, tryLogin(vertx, "hal", "dummy-password-for-timing").statusCode(), "no web password: no login");

    HttpResponse<Buffer> issued = admin.post("/api/users/hal/password-link").sendJsonObject(new JsonObject()).await();
    assertEquals(201, issued.statusCode(), issued.bodyAsString());
    String url = issued.bodyAsJsonObject().getString("url");
    String token = url.substring(url.lastIndexOf('/') + 1);
    WebClientSession holder = Api.session(vertx, switchboard);
    assertEquals("hal", holder.get("/api/password-reset/" + token).send().await().bodyAsJsonObject().getString("username"));
    HttpResponse<Buffer> set = holder.post("/api/password-reset/" + token)
        .sendJsonObject(new JsonObject().put("password", "hal-chosen-pw")).await();
    assertEquals(204, set.statusCode(), set.bodyAsString());
    Api.login(vertx, switchboard, "hal", "hal-chosen-pw");

    HttpResponse<Buffer> reused = holder.post("/api/password-reset/" + token)
        .sendJsonObject(new JsonObject().put("password", "someone-elses-pw")).await();
    Api.assertError(reused, 410, null);
    assertEquals(401, tryLogin(vertx, "hal", "someone-elses-pw").statusCode());
    Api.assertError(holder.get("/api/password-reset/not-a-token").send().await(), 404, null);
  }

  @Test
  @Timeout(value = 900, timeUnit = TimeUnit.SECONDS)
  void fiveHundredUsersWithPasswordsAllOrNothing(Vertx vertx, @TempDir Path dir) throws Exception {
    WebClientSession admin = start(vertx, dir);
    StringBuilder good = new StringBuilder(HEADER);
    for (int i = 0; i < 500; i++) {
      good.append(String.format("p%03d,Person %d,%d,p%03d-web-pw,p%03d-sip-pw,,desk-phone,yealink,T46U,0015651%05x%n",
          i, i, 30000 + i, i, i, i));
    }
    // A bad row at the end: every row is checked before anything is hashed or written.
    HttpResponse<Buffer> bad = importCsv(admin, good + "zed,Zed,30000,zed-web-pw,,,,,,\n");
    assertEquals(400, bad.statusCode(), bad.bodyAsString());
    JsonArray errors = bad.bodyAsJsonObject().getJsonArray("errors");
    assertEquals(1, errors.size(), errors.encode());
    assertError(errors.getJsonObject(0), 502, "extension");
    assertEquals(1, admin.get("/api/users").send().await().bodyAsJsonObject().getJsonArray("users").size(), "only the admin");

    HttpResponse<Buffer> r = importCsv(admin, good.toString());
    assertEquals(200, r.statusCode(), r.bodyAsString());
    assertEquals(500, r.bodyAsJsonObject().getInteger("users"));
    assertEquals(500, r.bodyAsJsonObject().getInteger("devices"));
    assertEquals(null, r.bodyAsJsonObject().getJsonArray("withoutPassword"));
    assertEquals(501, admin.get("/api/users").send().await().bodyAsJsonObject().getJsonArray("users").size());
    for (String u : List.of("p000", "p001", "p249", "p250", "p498", "p499")) {
      Api.login(vertx, switchboard, u, u + "-web-pw");
    }
    assertEquals(401, tryLogin(vertx, "p100", "p101-web-pw").statusCode(), "each has its own hash");
  }

  @Test
  void theImportWritesThePjsipFileOnceAfterItNotPerBatch(Vertx vertx, @TempDir Path dir) throws Exception {
    // Each write of the file is followed by one reload request on the bus: count them.
    List<Integer> writes = new CopyOnWriteArrayList<>();
    Promise<Void> startupWrite = Promise.promise();
    Promise<Void> nextWrite = Promise.promise();
    vertx.eventBus().addOutboundInterceptor(delivery -> {
      if (EventAddresses.AMI_RELOAD.equals(delivery.message().address())) {
        writes.add(writes.size() + 1);
        (writes.size() == 1 ? startupWrite : nextWrite).tryComplete();
      }
      delivery.next();
    });
    WebClientSession admin = start(vertx, dir);
    startupWrite.future().await(30, TimeUnit.SECONDS);

    // Users and phones in three store batches each, without web passwords (no hashing to wait for).
    int n = 3 * 250;
    StringBuilder csv = new StringBuilder(HEADER);
    for (int i = 0; i < n; i++) {
      csv.append(String.format("q%03d,Q %d,%d,,q%03d-sip-pw,,desk-phone,yealink,T46U,0015652%05x%n", i, i, 40000 + i, i, i));
    }
    HttpResponse<Buffer> r = importCsv(admin, csv.toString());
    assertEquals(200, r.statusCode(), r.bodyAsString());
    assertEquals(n, r.bodyAsJsonObject().getInteger("devices"));

    // The first write after the start-up one already holds every phone of the file.
    nextWrite.future().await(60, TimeUnit.SECONDS);
    List<AsteriskInStepTest.Section> sections = AsteriskInStepTest.parse(
        java.nio.file.Files.readString(dir.resolve("pjsip_switchboard.conf")));
    assertEquals(n, sections.stream().filter(x -> x.type().equals("endpoint")).count(), "endpoints in the first write");
    assertEquals(2, writes.size(), "the start-up write and one after the import");
  }

  private HttpResponse<Buffer> tryLogin(Vertx vertx, String user, String password) {
    return Api.session(vertx, switchboard).post("/api/login")
        .sendJsonObject(new JsonObject().put("username", user).put("password", password)).await();
  }

  @Test
  void aFileTooLargeIs413AndAHeaderIsRequired(Vertx vertx, @TempDir Path dir) throws Exception {
    WebClientSession admin = start(vertx, dir);
    StringBuilder big = new StringBuilder(HEADER);
    while (big.length() <= EventAddresses.IMPORT_MAX_BYTES) {
      big.append("someone,Someone,,some-password,,,,,,\n");
    }
    HttpResponse<Buffer> tooLarge = importCsv(admin, big.toString());
    Api.assertError(tooLarge, 413, null);
    assertTrue(tooLarge.bodyAsJsonObject().getString("message").contains("split"), tooLarge.bodyAsString());

    // Over the console's usual 256 KiB body limit but under the import's: the importer counts the rows.
    StringBuilder manyRows = new StringBuilder(HEADER);
    for (int i = 0; i <= EventAddresses.IMPORT_MAX_ROWS; i++) {
      manyRows.append("u").append(i).append(",Someone With A Rather Long Name,,password-").append(i).append(",,,,,,\n");
    }
    assertTrue(manyRows.length() > 256 * 1024);
    HttpResponse<Buffer> tooMany = importCsv(admin, manyRows.toString());
    Api.assertError(tooMany, 413, null);
    assertTrue(tooMany.bodyAsJsonObject().getString("message").startsWith("csv: at most 5000 rows"), tooMany.bodyAsString());

    HttpResponse<Buffer> noHeader = importCsv(admin, "dora,Dora,2001,dora-web-pw\n");
    assertEquals(400, noHeader.statusCode(), noHeader.bodyAsString());
    assertError(noHeader.bodyAsJsonObject().getJsonArray("errors").getJsonObject(0), 1, "dora");
  }

  private static void assertError(JsonObject error, int line, String field) {
    assertEquals(line, error.getInteger("line"), error.encode());
    assertEquals(field, error.getString("field"), error.encode());
  }
}
