package io.switchboard.core.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.api.EventAddresses;
import io.switchboard.core.config.ConfigException;
import io.switchboard.core.config.SwitchboardConfig;
import io.switchboard.core.testing.TestCertificates;
import io.switchboard.core.testing.TestCertificates.KeyForm;
import io.switchboard.core.testing.TestCertificates.Pair;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** PEM files made by openssl: the key forms servers are given, errors naming the key, reloads. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
class TlsCredentialsTest {

  private static SwitchboardConfig.Tls config(Path cert, Path key) {
    return new SwitchboardConfig.Tls(Optional.of(cert), Optional.of(key), 5071);
  }

  @Test
  void readsPkcs8Pkcs1AndEcKeys(Vertx vertx, @TempDir Path dir) throws Exception {
    long serial = 100;
    for (KeyForm form : KeyForm.values()) {
      Pair pair = TestCertificates.create(dir, form.name(), ++serial, form);
      TlsCredentials credentials = TlsCredentials.load(vertx, config(pair.cert(), pair.key())).await();
      assertEquals(BigInteger.valueOf(serial), credentials.current().serial(), form.name());
      assertTrue(credentials.current().subject().contains("CN=switchboard.test"), credentials.current().subject());
      String alias = credentials.keyManager().chooseServerAlias(credentials.current().leaf().getPublicKey().getAlgorithm(),
          null, null);
      assertEquals(BigInteger.valueOf(serial), credentials.keyManager().getCertificateChain(alias)[0].getSerialNumber());
    }
  }

  @Test
  void badFilesAreRefusedNamingTheKey(Vertx vertx, @TempDir Path dir) throws Exception {
    Pair a = TestCertificates.create(dir, "a", 1, KeyForm.EC_PKCS8);
    Pair b = TestCertificates.create(dir, "b", 2, KeyForm.EC_PKCS8);
    Path garbage = Files.writeString(dir.resolve("garbage.pem"), "not a PEM file\n");

    ConfigException cert = assertThrows(ConfigException.class, () -> TlsMaterial.read(vertx, garbage, a.key()));
    assertEquals("tls.cert", cert.key());
    assertTrue(cert.getMessage().contains(garbage.toString()), cert.getMessage());
    ConfigException key = assertThrows(ConfigException.class, () -> TlsMaterial.read(vertx, a.cert(), garbage));
    assertEquals("tls.key", key.key());
    ConfigException mismatch = assertThrows(ConfigException.class, () -> TlsMaterial.read(vertx, a.cert(), b.key()));
    assertEquals("tls.key", mismatch.key());
    assertTrue(mismatch.getMessage().contains("is not the private key"), mismatch.getMessage());
  }

  @Test
  void aVertxServerGivenKeyCertOptionsFollowsReloads(Vertx vertx, @TempDir Path dir) throws Exception {
    Pair first = TestCertificates.create(dir, "first", 0x31, KeyForm.EC_PKCS8);
    Pair second = TestCertificates.create(dir, "second", 0x32, KeyForm.EC_SEC1);
    Path cert = Files.copy(first.cert(), dir.resolve("server.crt"));
    Path key = Files.copy(first.key(), dir.resolve("server.key"));
    TlsCredentials credentials = TlsCredentials.load(vertx, config(cert, key)).await();
    NetServer server = vertx.createNetServer(new NetServerOptions().setSsl(true).setHost("127.0.0.1").setPort(0)
        .setKeyCertOptions(credentials.keyCertOptions()));
    server.connectHandler(socket -> socket.end());
    int port = server.listen().await().actualPort();
    try {
      assertEquals("31", TestCertificates.servedSerial(port, first.cert()));
      TestCertificates.replace(second.key(), key);
      TestCertificates.replace(second.cert(), cert);
      credentials.reload().await();
      assertEquals("32", TestCertificates.servedSerial(port, second.cert()));
    } finally {
      server.close().await();
    }
  }

  @Test
  void changedFilesAreReloadedAndAnnouncedBadOnesKeepTheOld(Vertx vertx, @TempDir Path dir) throws Exception {
    Pair first = TestCertificates.create(dir, "first", 11, KeyForm.EC_PKCS8);
    Pair second = TestCertificates.create(dir, "second", 22, KeyForm.EC_PKCS8);
    Path cert = Files.copy(first.cert(), dir.resolve("server.crt"));
    Path key = Files.copy(first.key(), dir.resolve("server.key"));
    TlsCredentials credentials = TlsCredentials.load(vertx, config(cert, key)).await();
    AtomicInteger announced = new AtomicInteger();
    Promise<Void> reloaded = Promise.promise();
    vertx.eventBus().consumer(EventAddresses.TLS_RELOADED, m -> {
      announced.incrementAndGet();
      reloaded.tryComplete();
    }).completion().await();
    CertificateWatcher watcher = new CertificateWatcher(vertx, credentials, Duration.ofMillis(200));
    watcher.start(false).await();
    try {
      // A key that is not the certificate's: refused, nothing announced, the old one stays.
      TestCertificates.replace(second.key(), key);
      assertFalse(watcher.reloadNow("test").await());
      assertEquals(BigInteger.valueOf(11), credentials.current().serial());

      // Both files of the new pair in place: the timer sees them and takes them.
      TestCertificates.replace(second.cert(), cert);
      reloaded.future().await(30, TimeUnit.SECONDS);
      assertEquals(BigInteger.valueOf(22), credentials.current().serial());
      String alias = credentials.keyManager().chooseServerAlias("EC", null, null);
      assertEquals(BigInteger.valueOf(22), credentials.keyManager().getCertificateChain(alias)[0].getSerialNumber());
      assertEquals(1, announced.get());
    } finally {
      watcher.stop();
    }
  }
}
