package io.switchboard.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.core.account.UserRequests;
import io.switchboard.core.model.UserChanges;
import io.switchboard.core.security.Redact;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Records that carry secrets print them hidden, so that logging one whole leaks nothing. */
class SecretsNotPrintedTest {

  @Test
  void theConfigHidesTheAdminPasswordTheAmiSecretAndTheStorePassword() {
    SwitchboardConfig c = ConfigLoader.load(null, Map.of(
        "SWITCHBOARD_ADMIN_PASSWORD", "admin-pw-4711",
        "SWITCHBOARD_AMI_HOST", "127.0.0.1", "SWITCHBOARD_AMI_USERNAME", "uc",
        "SWITCHBOARD_AMI_SECRET", "ami-secret-4712",
        "SWITCHBOARD_MONGO_URI", "mongodb://switch:mongo-pw-4713@db1:27017,db2/switchboard?replicaSet=rs0"));
    String printed = c.toString();
    for (String secret : new String[] {"admin-pw-4711", "ami-secret-4712", "mongo-pw-4713"}) {
      assertFalse(printed.contains(secret), secret + " printed: " + printed);
    }
    assertFalse(c.ami().toString().contains("ami-secret-4712"), c.ami()::toString);
    assertFalse(c.store().toString().contains("mongo-pw-4713"), c.store()::toString);
    // Still useful to read: what is set, and everything that is not secret.
    assertTrue(printed.contains("adminPassword=<hidden>"), printed);
    assertTrue(c.ami().toString().contains("secret=<hidden>") && c.ami().toString().contains("username=uc"),
        c.ami()::toString);
    assertTrue(c.store().toString().contains("mongodb://switch:<hidden>@db1:27017,db2/switchboard?replicaSet=rs0"),
        c.store()::toString);
    assertTrue(printed.contains("port=5070"), printed);
    // The values themselves are untouched.
    assertEquals("ami-secret-4712", c.ami().secret());
    assertEquals(Optional.of("admin-pw-4711"), c.adminPassword());
  }

  @Test
  void unsetSecretsSayUnset() {
    SwitchboardConfig c = ConfigLoader.load(null, Map.of());
    assertTrue(c.toString().contains("adminPassword=<unset>"), c::toString);
    assertTrue(c.ami().toString().contains("secret=<unset>"), c.ami()::toString);
  }

  @Test
  void storeUrisWithoutPasswordsStayAsTheyAre() {
    assertEquals("mongodb://db1:27017/switchboard", Redact.uri("mongodb://db1:27017/switchboard"));
    assertEquals("mongodb://u:<hidden>@db1/x?tag=a@b", Redact.uri("mongodb://u:p@ss@db1/x?tag=a@b"));
    assertEquals("mongodb://u:<hidden>@db1", Redact.uri("mongodb://u@db1"));
  }

  @Test
  void userRequestsAndChangesHidePasswordsAndHashes() {
    UserRequests.Create create = UserRequests.create(new JsonObject().put("username", "dora")
        .put("password", "web-pw-4714").put("sipPassword", "sip-pw-4715"));
    assertFalse(create.toString().contains("web-pw-4714") || create.toString().contains("sip-pw-4715"), create::toString);
    assertTrue(create.toString().contains("username=dora"), create::toString);

    UserRequests.Patch patch = UserRequests.patch(new JsonObject().put("password", "web-pw-4716").put("enabled", false));
    assertFalse(patch.toString().contains("web-pw-4716"), patch::toString);
    assertTrue(patch.toString().contains("password=<hidden>") && patch.toString().contains("sipPassword=<unchanged>"),
        patch::toString);

    UserChanges changes = new UserChanges(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
        Optional.of("pbkdf2-hash-4717"), Optional.of(Map.of("MD5", "ha1-4718")));
    assertFalse(changes.toString().contains("pbkdf2-hash-4717") || changes.toString().contains("ha1-4718"),
        changes::toString);
  }
}
