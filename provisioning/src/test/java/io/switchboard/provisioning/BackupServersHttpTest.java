package io.switchboard.provisioning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.switchboard.core.account.UserAccounts;
import io.switchboard.core.model.Device;
import io.switchboard.core.model.Role;
import io.switchboard.core.model.User;
import io.switchboard.core.testing.SipTestServer;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Yealink fetches its file from a running provisioning server whose node lists itself and two
 * other nodes in {@code provisioning.backup-servers}: the file names the node after it as server 2.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 90, timeUnit = TimeUnit.SECONDS)
class BackupServersHttpTest {

  @Test
  void aYealinkFileNamesTheNextNodeAsItsBackupServer(Vertx vertx, @TempDir Path dir) throws Exception {
    SipTestServer node = new SipTestServer(vertx, dir, Map.of("sip.advertised-address", "127.0.0.1",
        "provisioning.backup-servers", "sb3.test:5080, 127.0.0.1, sb2.test",
        "provisioning.failover-register-interval", "240"));
    node.start().await(60, TimeUnit.SECONDS);
    ProvisioningService provisioning = null;
    try {
      provisioning = new ProvisioningService(vertx, node.config, node.health,
          new UserAccounts(vertx, node.users, node.domain()), node.devices, node.sip);
      provisioning.start().await(60, TimeUnit.SECONDS);
      node.users.create(new User("alice", "Alice", "1001", Role.USER, true, null, Map.of(), Instant.now(), Instant.now()))
          .await(30, TimeUnit.SECONDS);
      node.devices.create(new Device("dev-1", "alice", Device.Kind.DESK_PHONE, "yealink", "T46U", "001565aabbcc", "1001",
          "s3cret-sip", "backup-test-token", null, Instant.now(), Instant.now())).await(30, TimeUnit.SECONDS);

      HttpClient http = vertx.createHttpClient();
      String[] answer = http.request(HttpMethod.GET, provisioning.port(), "127.0.0.1",
              "/provision/backup-test-token/001565aabbcc.cfg")
          .compose(req -> req.putHeader("User-Agent", "Yealink SIP-T46U 108.86.0.20 00:15:65:aa:bb:cc").send())
          .compose(resp -> resp.body().map(body -> new String[] {String.valueOf(resp.statusCode()), body.toString()}))
          .await(30, TimeUnit.SECONDS);
      assertEquals("200", answer[0], answer[1]);
      Map<String, String> cfg = keyValues(answer[1]);
      int sipPort = node.sipPort();
      assertEquals("127.0.0.1", cfg.get("account.2.sip_server.1.address"), "this node stays the primary");
      assertEquals(String.valueOf(sipPort), cfg.get("account.2.sip_server.1.port"));
      assertEquals("sb2.test", cfg.get("account.2.sip_server.2.address"),
          "the entry after this node in the list, not itself and not the first listed");
      assertEquals(String.valueOf(sipPort), cfg.get("account.2.sip_server.2.port"), "no port listed: this node's SIP port");
      assertEquals("0", cfg.get("account.2.sip_server.2.transport_type"));
      assertEquals("1", cfg.get("account.2.fallback.redundancy_type"));
      assertEquals("240", cfg.get("account.2.sip_server.1.expires"));
      assertEquals("240", cfg.get("account.2.sip_server.2.expires"));
      assertEquals("240", cfg.get("account.2.fallback.timeout"));
      assertEquals("s3cret-sip", cfg.get("account.2.password"));
      assertNull(cfg.get("account.1.sip_server.2.address"), "Asterisk's account gets no backup from us");
    } finally {
      if (provisioning != null) {
        provisioning.stop().await(30, TimeUnit.SECONDS);
      }
      node.stop().await(30, TimeUnit.SECONDS);
    }
  }

  /** key = value lines of a Yealink file; a key set twice fails. */
  private static Map<String, String> keyValues(String text) {
    Map<String, String> m = new HashMap<>();
    text.lines().filter(l -> !l.startsWith("#") && l.contains("=")).forEach(l -> {
      String[] kv = l.split("=", 2);
      assertNull(m.put(kv[0].trim(), kv[1].trim()), "set twice: " + kv[0]);
    });
    return m;
  }
}
