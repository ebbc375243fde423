package io.switchboard.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The three configuration layers (reference, operator file, environment) and value checking. */
class ConfigLoaderTest {

  @TempDir
  Path dir;

  private static SwitchboardConfig env(Map<String, String> env) {
    return ConfigLoader.load(null, env);
  }

  private Path operatorFile(String content) throws IOException {
    Path file = dir.resolve("switchboard.properties");
    Files.writeString(file, content, StandardCharsets.UTF_8);
    return file;
  }

  /** Asserts that loading fails on exactly this key, and that the message tells the operator which. */
  private static void assertRejected(String key, Map<String, String> env) {
    ConfigException e = assertThrows(ConfigException.class, () -> env(env));
    assertEquals(key, e.key());
    assertTrue(e.getMessage().contains("'" + key + "'"), e.getMessage());
    assertTrue(e.getMessage().contains(ConfigLoader.envName(key)), e.getMessage());
  }

  @Test
  void defaultsComeFromTheReferenceFile() {
    SwitchboardConfig c = env(Map.of());
    assertEquals(5070, c.sip().port());
    assertEquals("switchboard.local", c.sip().domain());
    assertEquals(60, c.sip().minExpires());
    assertEquals(3600, c.sip().maxExpires());
    assertEquals(List.of("MD5"), c.sip().authAlgorithms(), "MD5 alone: SHA-256 on offer breaks libre-based phones");
    assertEquals(8080, c.web().port());
    assertEquals(Path.of("data"), c.store().dataDir());
    assertEquals(Optional.empty(), c.store().mongoUri());
    assertEquals(Optional.empty(), c.adminPassword());
    assertFalse(c.ami().configured());
    assertFalse(c.tls().enabled(), "clear text unless a certificate is given");
    assertEquals(5071, c.tls().sipPort());
    assertEquals(600, c.presence().activeWindowSeconds());
  }

  @Test
  void fileLimitsHaveTheirDefaultsAndBounds() {
    assertEquals(25L * 1024 * 1024, env(Map.of()).im().maxFileSize());
    assertEquals(720, env(Map.of()).im().fileMaxAgeHours());
    assertEquals(1000, env(Map.of("SWITCHBOARD_IM_MAX_FILE_SIZE", "1000")).im().maxFileSize());
    assertRejected("im.max-file-size", Map.of("SWITCHBOARD_IM_MAX_FILE_SIZE", "0"));
    assertRejected("im.max-file-size", Map.of("SWITCHBOARD_IM_MAX_FILE_SIZE", "25MB"));
    assertRejected("im.file-max-age", Map.of("SWITCHBOARD_IM_FILE_MAX_AGE", "-1"));
  }

  @Test
  void tlsNeedsBothReadableFiles() throws IOException {
    Path cert = operatorFile("not checked here");
    assertRejected("tls.key", Map.of("SWITCHBOARD_TLS_CERT", cert.toString()));
    assertRejected("tls.cert", Map.of("SWITCHBOARD_TLS_KEY", cert.toString()));
    assertRejected("tls.key", Map.of("SWITCHBOARD_TLS_CERT", cert.toString(),
        "SWITCHBOARD_TLS_KEY", dir.resolve("missing.pem").toString()));
    SwitchboardConfig c = env(Map.of("SWITCHBOARD_TLS_CERT", cert.toString(), "SWITCHBOARD_TLS_KEY", cert.toString()));
    assertTrue(c.tls().enabled());
    assertEquals(Optional.of(cert), c.tls().key());
  }

  @Test
  void thePjsipFileLivesInTheDataDirectoryUnlessNamed() {
    assertEquals(java.nio.file.Path.of("/srv/sb/pjsip_switchboard.conf"),
        env(Map.of(ConfigLoader.envName("data.dir"), "/srv/sb")).provisioning().pjsipFile());
    assertEquals(java.nio.file.Path.of("/etc/asterisk/sb.conf"), env(Map.of(ConfigLoader.envName("data.dir"), "/srv/sb",
        ConfigLoader.envName("provisioning.pjsip-file"), "/etc/asterisk/sb.conf")).provisioning().pjsipFile());
  }

  @Test
  void logFormatIsTextUnlessJsonIsAsked() {
    assertEquals("text", env(Map.of()).log().format());
    assertFalse(env(Map.of()).log().json());
    assertTrue(env(Map.of("SWITCHBOARD_LOG_FORMAT", "JSON")).log().json(), "case-insensitive");
    assertRejected("log.format", Map.of("SWITCHBOARD_LOG_FORMAT", "logfmt"));
    assertRejected("log.format", Map.of("SWITCHBOARD_LOG_FORMAT", " "));
  }

  @Test
  void activeWindowIsSecondsWithinADay() {
    assertEquals(120, env(Map.of("SWITCHBOARD_PRESENCE_ACTIVE_WINDOW", "120")).presence().activeWindowSeconds());
    assertRejected("presence.active-window", Map.of("SWITCHBOARD_PRESENCE_ACTIVE_WINDOW", "0"));
    assertRejected("presence.active-window", Map.of("SWITCHBOARD_PRESENCE_ACTIVE_WINDOW", "ten minutes"));
  }

  @Test
  void envNameFollowsTheDocumentedRule() {
    assertEquals("SWITCHBOARD_SIP_MIN_EXPIRES", ConfigLoader.envName("sip.min-expires"));
    assertEquals("SWITCHBOARD_SIP_PORT", ConfigLoader.envName("sip.port"));
  }

  @Test
  void environmentOverridesDefaults() {
    SwitchboardConfig c = env(Map.of(
        ConfigLoader.envName("sip.port"), "5999",
        ConfigLoader.envName("sip.min-expires"), " 120 ",
        "SWITCHBOARD_NOT_A_KEY", "ignored: only known keys are looked up"));
    assertEquals(5999, c.sip().port());
    assertEquals(120, c.sip().minExpires(), "value is trimmed");
    assertEquals(8080, c.web().port(), "untouched keys keep their default");
  }

  @Test
  void operatorFileOverridesDefaultsAndEnvironmentOverridesTheFile() throws IOException {
    Path file = operatorFile("""
        # operator settings
        sip.port=6000
        web.port=9000
        sip.domain=Example.ORG
        """);
    SwitchboardConfig fromFile = ConfigLoader.load(file, Map.of());
    assertEquals(6000, fromFile.sip().port());
    assertEquals(9000, fromFile.web().port());
    assertEquals("example.org", fromFile.sip().domain(), "domains are case-insensitive, kept lower case");

    SwitchboardConfig withEnv = ConfigLoader.load(file, Map.of(ConfigLoader.envName("sip.port"), "6001"));
    assertEquals(6001, withEnv.sip().port(), "env beats the file");
    assertEquals(9000, withEnv.web().port(), "the file still beats the default");
  }

  @Test
  void unknownKeyInOperatorFileIsRefused() throws IOException {
    // A typo must not silently leave the default in force.
    Path file = operatorFile("sip.port=6000\nsip.min-expire=30\n");
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(file, Map.of()));
    assertEquals("sip.min-expire", e.key());
    assertTrue(e.getMessage().contains("sip.min-expire"), e.getMessage());
  }

  @Test
  void missingOperatorFileIsAConfigError() {
    Path missing = dir.resolve("nope.properties");
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(missing, Map.of()));
    assertTrue(e.getMessage().contains("nope.properties"), e.getMessage());
  }

  @Test
  void portThatIsNotANumberIsRefused() {
    assertRejected("sip.port", Map.of(ConfigLoader.envName("sip.port"), "fifty"));
  }

  @Test
  void portOutOfRangeIsRefused() {
    assertRejected("web.port", Map.of(ConfigLoader.envName("web.port"), "70000"));
    assertRejected("sip.port", Map.of(ConfigLoader.envName("sip.port"), "-1"));
  }

  @Test
  void emailIsOffByDefaultWithItsDocumentedDelaysAndItsValuesChecked() {
    SwitchboardConfig.Email off = env(Map.of()).email();
    assertFalse(off.enabled(), "no smtp.host: no mail");
    assertEquals(587, off.smtpPort());
    assertEquals("required", off.starttls());
    assertEquals(900, off.afterSeconds());
    assertEquals(3600, off.intervalSeconds());
    assertEquals("http://switchboard.local:8080/", off.consoleUrl(), "the console's address, from the SIP domain");

    Map<String, String> on = Map.of(ConfigLoader.envName("smtp.host"), "mail.example.com",
        ConfigLoader.envName("smtp.from"), "switchboard@example.com", ConfigLoader.envName("smtp.username"), "sb",
        ConfigLoader.envName("smtp.password"), "smtp-secret-9", ConfigLoader.envName("notify.email.after"), "5",
        ConfigLoader.envName("web.public-url"), "https://uc.example.com/");
    SwitchboardConfig.Email email = env(on).email();
    assertTrue(email.enabled());
    assertEquals(5, email.afterSeconds(), "sub-minute delays are allowed (tests use them)");
    assertEquals("https://uc.example.com/", email.consoleUrl());
    assertFalse(env(on).toString().contains("smtp-secret-9"), "the SMTP password is never printed");

    assertRejected("smtp.port", Map.of(ConfigLoader.envName("smtp.port"), "twenty-five"));
    assertRejected("smtp.from", Map.of(ConfigLoader.envName("smtp.host"), "mail.example.com"));
    assertRejected("smtp.from", Map.of(ConfigLoader.envName("smtp.host"), "mail.example.com",
        ConfigLoader.envName("smtp.from"), "Switchboard <sb@example.com"));
    assertRejected("smtp.password", Map.of(ConfigLoader.envName("smtp.username"), "sb"));
    assertRejected("smtp.starttls", Map.of(ConfigLoader.envName("smtp.starttls"), "sometimes"));
    assertRejected("smtp.ca-file", Map.of(ConfigLoader.envName("smtp.ca-file"), dir.resolve("missing.pem").toString()));
    assertRejected("notify.email.after", Map.of(ConfigLoader.envName("notify.email.after"), "0"));
    assertRejected("notify.email.interval", Map.of(ConfigLoader.envName("notify.email.interval"), "1h"));
    assertRejected("web.public-url", Map.of(ConfigLoader.envName("web.public-url"), "console.example.com"));
  }

  @Test
  void broadcastsComeFromAnnouncementUnlessNamedOtherwise() {
    assertEquals("Announcement", env(Map.of()).broadcast().displayName());
    assertEquals("Front desk", env(Map.of(ConfigLoader.envName("broadcast.display-name"), "Front desk")).broadcast()
        .displayName());
    assertRejected("broadcast.display-name", Map.of(ConfigLoader.envName("broadcast.display-name"), "Say \"hi\""));
    assertRejected("broadcast.display-name", Map.of(ConfigLoader.envName("broadcast.display-name"), "x".repeat(65)));
  }

  @Test
  void mongoUriMustBeAMongoUri() {
    assertRejected("mongo.uri", Map.of(ConfigLoader.envName("mongo.uri"), "http://x"));
    // and the two accepted schemes do load
    assertEquals(Optional.of("mongodb://db1,db2/?replicaSet=rs0"),
        env(Map.of(ConfigLoader.envName("mongo.uri"), "mongodb://db1,db2/?replicaSet=rs0")).store().mongoUri());
    assertTrue(env(Map.of(ConfigLoader.envName("mongo.uri"), "mongodb+srv://cluster.example")).store().mongoUri()
        .isPresent());
  }

  @Test
  void clusteringIsOffByDefaultAndItsValuesChecked() {
    SwitchboardConfig.Cluster off = env(Map.of()).cluster();
    assertFalse(off.enabled(), "a single node unless asked");
    assertEquals(List.of(), off.members());
    assertEquals(5701, off.port());
    assertEquals("127.0.0.1", off.bindAddress());
    assertEquals(Optional.empty(), off.secret(), "no secret needed by a single node");
    SwitchboardConfig.Cluster on = env(Map.of(ConfigLoader.envName("cluster.enabled"), "true",
        ConfigLoader.envName("cluster.members"), "10.0.0.2:5702, node-c.example ,[fd00::3]:5801",
        ConfigLoader.envName("cluster.bind-address"), "10.0.0.1", "SWITCHBOARD_CLUSTER_SECRET", SECRET)).cluster();
    assertEquals(Optional.of(SECRET), on.secret());
    assertFalse(on.toString().contains(SECRET), on.toString());
    assertTrue(on.enabled());
    assertEquals(List.of("10.0.0.2:5702", "node-c.example:5701", "[fd00::3]:5801"), on.members(),
        "a member without a port gets cluster.port");
    assertEquals(List.of("10.0.0.2", "node-c.example", "fd00::3"), on.memberHosts());
    assertRejected("cluster.enabled", Map.of(ConfigLoader.envName("cluster.enabled"), "maybe"));
    assertRejected("cluster.members", Map.of(ConfigLoader.envName("cluster.members"), "a:b:c"));
    assertRejected("cluster.members", Map.of(ConfigLoader.envName("cluster.members"), "10.0.0.2:70000"));
    assertRejected("cluster.port", Map.of(ConfigLoader.envName("cluster.port"), "x"));
    assertRejected("cluster.bind-address", Map.of(ConfigLoader.envName("cluster.bind-address"), "node-a"));
  }

  private static final String SECRET = "a-cluster-secret-of-29-chars!";

  @Test
  void theClusterSecretIsRequiredWhenClusteredOrServingAndNeverShort() {
    String enabled = ConfigLoader.envName("cluster.enabled");
    assertRejected("cluster.secret", Map.of(enabled, "true"));
    assertRejected("cluster.secret", Map.of("SWITCHBOARD_STORE_SERVE_PORT", "27018"));
    assertRejected("cluster.secret", Map.of(enabled, "true", "SWITCHBOARD_CLUSTER_SECRET", "fifteen-chars-x"));
    assertRejected("cluster.secret", Map.of(enabled, "true", "SWITCHBOARD_CLUSTER_SECRET", "sixteen-chars-ümlaut"));
    assertEquals(16, env(Map.of(enabled, "true", "SWITCHBOARD_CLUSTER_SECRET", "sixteen-chars-xy")).cluster().secret()
        .orElseThrow().length(), "16 characters are enough");
    // The message names the key, never the value.
    ConfigException e = assertThrows(ConfigException.class,
        () -> env(Map.of(enabled, "true", "SWITCHBOARD_CLUSTER_SECRET", "short-secret")));
    assertFalse(e.getMessage().contains("short-secret"), e.getMessage());
    assertFalse(env(Map.of("SWITCHBOARD_STORE_SERVE_PORT", "27018", "SWITCHBOARD_CLUSTER_SECRET", SECRET)).toString()
        .contains(SECRET), "the whole config dumped hides it");
  }

  @Test
  void phonesGetNoBackupServerUnlessListedAndEachEntryIsChecked() {
    SwitchboardConfig.Provisioning none = env(Map.of()).provisioning();
    assertEquals(List.of(), none.backupServers(), "a single node's phone files stay as they are");
    assertEquals(300, none.failoverRegisterInterval());
    SwitchboardConfig.Provisioning listed = env(Map.of(ConfigLoader.envName("provisioning.backup-servers"),
        " SB2.example.com, 10.0.0.3:5080 ,[fd00::4]:5072", ConfigLoader.envName("provisioning.failover-register-interval"),
        "120")).provisioning();
    assertEquals(List.of(new SwitchboardConfig.SipServer("sb2.example.com", 0),
        new SwitchboardConfig.SipServer("10.0.0.3", 5080), new SwitchboardConfig.SipServer("[fd00::4]", 5072)),
        listed.backupServers(), "in order; no port: the node's own SIP port for phones (0)");
    assertEquals(120, listed.failoverRegisterInterval());
    for (String bad : new String[] {"a:b:c", "sb2:0", "sb2:70000", "sb2:", "sb_2.example", "sb2, 10.0.0.3, SB2"}) {
      assertRejected("provisioning.backup-servers", Map.of(ConfigLoader.envName("provisioning.backup-servers"), bad));
    }
    assertRejected("provisioning.failover-register-interval",
        Map.of(ConfigLoader.envName("provisioning.failover-register-interval"), "30"));
    assertRejected("provisioning.failover-register-interval",
        Map.of(ConfigLoader.envName("provisioning.failover-register-interval"), "7200"));
    assertEquals(30, env(Map.of(ConfigLoader.envName("provisioning.failover-register-interval"), "30",
        ConfigLoader.envName("sip.min-expires"), "20")).provisioning().failoverRegisterInterval(),
        "bounded by the registrar's own sip.min-expires and sip.max-expires");
  }

  @Test
  void storeServePortIsOffByDefaultAndNeverPublic() {
    SwitchboardConfig.Store plain = env(Map.of()).store();
    assertFalse(plain.served());
    assertEquals("127.0.0.1", plain.serveAddress());
    SwitchboardConfig.Store served = env(Map.of("SWITCHBOARD_STORE_SERVE_PORT", "27018",
        ConfigLoader.envName("store.serve-address"), "192.168.1.10",
        ConfigLoader.envName("store.serve-clients"), "192.168.1.0/24", "SWITCHBOARD_CLUSTER_SECRET", SECRET)).store();
    assertTrue(served.served());
    assertEquals(27018, served.servePort());
    assertEquals(List.of("192.168.1.0/24"), served.serveClients());
    assertRejected("store.serve-address", Map.of(ConfigLoader.envName("store.serve-address"), "8.8.8.8"));
    assertRejected("store.serve-address", Map.of(ConfigLoader.envName("store.serve-address"), "0.0.0.0"));
    assertRejected("store.serve-port", Map.of("SWITCHBOARD_STORE_SERVE_PORT", "0"));
    assertRejected("store.serve-port", Map.of("SWITCHBOARD_STORE_SERVE_PORT", "27018",
        ConfigLoader.envName("mongo.uri"), "mongodb://db1/"));
    assertRejected("store.serve-clients", Map.of(ConfigLoader.envName("store.serve-clients"), "everyone"));
  }

  @Test
  void checkpointThresholdsHaveTheirDocumentedDefaultsAndBounds() {
    SwitchboardConfig.Store defaults = env(Map.of()).store();
    assertEquals(SwitchboardConfig.Store.CHECKPOINT_INTERVAL, defaults.checkpointInterval(),
        "the reference file and the record's constant agree");
    assertEquals(SwitchboardConfig.Store.CHECKPOINT_JOURNAL_MB, defaults.checkpointJournalMb());
    assertEquals(defaults.checkpointInterval(), new SwitchboardConfig.Store(Path.of("d"), Optional.empty(), "x")
        .checkpointInterval());
    SwitchboardConfig.Store set = env(Map.of(ConfigLoader.envName("store.checkpoint-interval"), "2m",
        ConfigLoader.envName("store.checkpoint-journal-mb"), "64")).store();
    assertEquals(java.time.Duration.ofMinutes(2), set.checkpointInterval());
    assertEquals(64, set.checkpointJournalMb());
    assertRejected("store.checkpoint-interval", Map.of(ConfigLoader.envName("store.checkpoint-interval"), "0"));
    assertRejected("store.checkpoint-interval", Map.of(ConfigLoader.envName("store.checkpoint-interval"), "2h"));
    assertRejected("store.checkpoint-interval", Map.of(ConfigLoader.envName("store.checkpoint-interval"), "soon"));
    assertRejected("store.checkpoint-journal-mb", Map.of(ConfigLoader.envName("store.checkpoint-journal-mb"), "0"));
  }

  @Test
  void onlyMd5AndSha256AreAcceptedAsDigestAlgorithms() {
    assertRejected("sip.auth.algorithms", Map.of(ConfigLoader.envName("sip.auth.algorithms"), "SHA-1"));
    assertRejected("sip.auth.algorithms", Map.of(ConfigLoader.envName("sip.auth.algorithms"), "MD5,SHA-1"));
    // order is kept (it is the challenge order), case is normalised, duplicates dropped
    assertEquals(List.of("SHA-256", "MD5"),
        env(Map.of(ConfigLoader.envName("sip.auth.algorithms"), "sha-256, md5, SHA-256")).sip().authAlgorithms());
  }

  @Test
  void sipThrottlesHaveDocumentedDefaultsAndCheckedValues() {
    SwitchboardConfig.Sip sip = env(Map.of()).sip();
    assertEquals(10, sip.authMaxFailures());
    assertEquals(60, sip.authFailureWindow());
    assertEquals(300, sip.authBlockTime());
    assertEquals(500, sip.floodRate(), "above an office NAT of hundreds of phones");
    assertEquals(List.of(), sip.floodExempt(), "nobody is exempt by default");
    assertEquals(List.of("127.0.0.0/8", "192.0.2.7", "2001:db8::/32"),
        env(Map.of(ConfigLoader.envName("sip.flood.exempt"), " 127.0.0.0/8, 192.0.2.7 ,2001:db8::/32")).sip().floodExempt());
    assertEquals(0, env(Map.of(ConfigLoader.envName("sip.flood.rate"), "0")).sip().floodRate(), "0 turns it off");
    assertRejected("sip.flood.exempt", Map.of(ConfigLoader.envName("sip.flood.exempt"), "10.0.0.0/33"));
    assertRejected("sip.flood.exempt", Map.of(ConfigLoader.envName("sip.flood.exempt"), "proxy.example.com"));
    assertRejected("sip.flood.rate", Map.of(ConfigLoader.envName("sip.flood.rate"), "-1"));
    assertRejected("sip.auth.max-failures", Map.of(ConfigLoader.envName("sip.auth.max-failures"), "0"));
    assertRejected("sip.auth.block-time", Map.of(ConfigLoader.envName("sip.auth.block-time"), "forever"));
  }

  @Test
  void registrarWriteBehindIsOneSecondByDefault() {
    assertEquals(1, env(Map.of()).sip().registrarWriteBehind());
    assertEquals(0, env(Map.of(ConfigLoader.envName("sip.registrar.write-behind"), "0")).sip().registrarWriteBehind(),
        "0: every refresh stored before its 200");
    assertRejected("sip.registrar.write-behind", Map.of(ConfigLoader.envName("sip.registrar.write-behind"), "61"));
    assertRejected("sip.registrar.write-behind", Map.of(ConfigLoader.envName("sip.registrar.write-behind"), "1s"));
  }

  @Test
  void sipTimersAndClientTransactionLimitHaveTheirDefaults() {
    SwitchboardConfig.Sip sip = env(Map.of()).sip();
    assertEquals(500, sip.timerT1Millis(), "RFC 3261's T1, ms");
    assertEquals(4000, sip.timerT2Millis(), "RFC 3261's T2, ms");
    assertEquals(25000, sip.clientTransactionsPerLoop());
    SwitchboardConfig.Sip set = env(Map.of(ConfigLoader.envName("sip.timer.t1"), "50", ConfigLoader.envName("sip.timer.t2"),
        "400", ConfigLoader.envName("sip.client-transactions.per-loop"), "2")).sip();
    assertEquals(50, set.timerT1Millis());
    assertEquals(400, set.timerT2Millis());
    assertEquals(2, set.clientTransactionsPerLoop());
    assertRejected("sip.timer.t1", Map.of(ConfigLoader.envName("sip.timer.t1"), "0"));
    assertRejected("sip.timer.t1", Map.of(ConfigLoader.envName("sip.timer.t1"), "500ms"));
    assertRejected("sip.timer.t2", Map.of(ConfigLoader.envName("sip.timer.t2"), "400"));
    assertRejected("sip.client-transactions.per-loop", Map.of(ConfigLoader.envName("sip.client-transactions.per-loop"), "0"));
  }

  @Test
  void sipEventLoopsDefaultToVertxEventLoops() {
    assertEquals(2 * Runtime.getRuntime().availableProcessors(), env(Map.of()).sip().eventLoops(),
        "empty: as many as Vert.x has event loops");
    assertEquals(3, env(Map.of(ConfigLoader.envName("sip.event-loops"), "3")).sip().eventLoops());
    assertRejected("sip.event-loops", Map.of(ConfigLoader.envName("sip.event-loops"), "0"));
    assertRejected("sip.event-loops", Map.of(ConfigLoader.envName("sip.event-loops"), "many"));
  }

  @Test
  void shortAdminPasswordIsRefused() {
    assertRejected("admin.password", Map.of(ConfigLoader.envName("admin.password"), "short"));
    assertEquals(Optional.of("long-enough"),
        env(Map.of(ConfigLoader.envName("admin.password"), "long-enough")).adminPassword());
  }

  @Test
  void metricsTokenIsOptionalLongEnoughAndNeverPrinted() {
    assertEquals(Optional.empty(), env(Map.of()).web().metricsToken(), "default: an admin session only");
    assertRejected("metrics.token", Map.of("SWITCHBOARD_METRICS_TOKEN", "too-short"));
    SwitchboardConfig c = env(Map.of("SWITCHBOARD_METRICS_TOKEN", "prometheus-scrape-token-1"));
    assertEquals(Optional.of("prometheus-scrape-token-1"), c.web().metricsToken());
    assertFalse(c.toString().contains("prometheus-scrape-token-1"), c.toString());
  }

  @Test
  void buddyListUrisAndTheirThrottleHaveDefaultsAndCheckedValues() {
    SwitchboardConfig.Presence p = env(Map.of()).presence();
    assertEquals("alice-buddies", p.listUser("alice"));
    assertEquals("alice-buddies-sales-team", p.listUser("alice", "Sales  Team!"));
    assertEquals(1000, p.listMinIntervalMillis());
    assertEquals("lists-alice", env(Map.of(ConfigLoader.envName("presence.list-uri-pattern"), "lists-{user}"))
        .presence().listUser("alice"));
    assertRejected("presence.list-uri-pattern", Map.of(ConfigLoader.envName("presence.list-uri-pattern"), "{user}"));
    assertRejected("presence.list-uri-pattern", Map.of(ConfigLoader.envName("presence.list-uri-pattern"), "buddies"));
    assertRejected("presence.list-uri-pattern", Map.of(ConfigLoader.envName("presence.list-uri-pattern"), "a@{user}"));
    assertRejected("presence.list-min-interval", Map.of(ConfigLoader.envName("presence.list-min-interval"), "60001"));
  }

  @Test
  void maxExpiresBelowMinExpiresIsRefused() {
    assertRejected("sip.max-expires", Map.of(
        ConfigLoader.envName("sip.min-expires"), "600",
        ConfigLoader.envName("sip.max-expires"), "300"));
  }

  @Test
  void backupsAreOffByDefaultAndTheirValuesChecked() throws IOException {
    SwitchboardConfig.Backup off = env(Map.of()).backup();
    assertFalse(off.scheduled(), "no backup.dir: no scheduled backups");
    assertEquals(24 * 3600, off.intervalSeconds());
    assertEquals(7, off.keep());
    SwitchboardConfig.Backup on = env(Map.of(ConfigLoader.envName("backup.dir"), dir.toString(),
        ConfigLoader.envName("backup.interval"), "30m", ConfigLoader.envName("backup.keep"), "3")).backup();
    assertEquals(Optional.of(dir), on.dir());
    assertEquals(1800, on.intervalSeconds());
    assertEquals(3, on.keep());
    assertEquals(7 * 86_400, env(Map.of(ConfigLoader.envName("backup.interval"), "7d")).backup().intervalSeconds());
    assertEquals(90, env(Map.of(ConfigLoader.envName("backup.interval"), "90")).backup().intervalSeconds(),
        "a bare number is seconds");
    assertRejected("backup.interval", Map.of(ConfigLoader.envName("backup.interval"), "daily"));
    assertRejected("backup.interval", Map.of(ConfigLoader.envName("backup.interval"), "0s"));
    assertRejected("backup.interval", Map.of(ConfigLoader.envName("backup.interval"), "400d"));
    assertRejected("backup.keep", Map.of(ConfigLoader.envName("backup.keep"), "0"));
    assertRejected("backup.keep", Map.of(ConfigLoader.envName("backup.keep"), "all"));
    Path file = operatorFile("not a directory");
    assertRejected("backup.dir", Map.of(ConfigLoader.envName("backup.dir"), file.toString()));
  }

  @Test
  void theConferenceExtensionIsOffByDefaultAndCheckedWhenGiven() {
    SwitchboardConfig c = env(Map.of());
    assertEquals("internal", c.ami().conferenceContext());
    assertEquals(Optional.empty(), c.ami().conferenceExtension());
    assertEquals(Optional.of("8000"), env(Map.of("SWITCHBOARD_AMI_CONFERENCE_EXTENSION", "8000")).ami().conferenceExtension());
    assertRejected("ami.conference-extension", Map.of("SWITCHBOARD_AMI_CONFERENCE_EXTENSION", "conf room"));
  }

  @Test
  void amiHostWithoutUsernameIsRefused() {
    assertRejected("ami.username", Map.of(ConfigLoader.envName("ami.host"), "pbx.example"));
  }

  /**
   * The reference file is the documentation: every key must sit in a paragraph (lines between
   * blank lines) that has a comment above it, so no key is added without a word about it.
   */
  @Test
  void everyReferenceKeyIsCommented() throws IOException {
    List<String> lines;
    try (InputStream in = ConfigLoader.class.getResourceAsStream(ConfigLoader.REFERENCE)) {
      lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
    }
    Set<String> keys = new HashSet<>();
    List<String> undocumented = new ArrayList<>();
    boolean commentInParagraph = false;
    for (String raw : lines) {
      String line = raw.strip();
      if (line.isEmpty()) {
        commentInParagraph = false;
      } else if (line.startsWith("#")) {
        commentInParagraph |= line.length() > 1 && !line.substring(1).isBlank();
      } else {
        String key = line.substring(0, line.indexOf('=')).strip();
        keys.add(key);
        if (!commentInParagraph) {
          undocumented.add(key);
        }
      }
    }
    assertEquals(ConfigLoader.reference().stringPropertyNames(), keys, "line parsing saw every key");
    assertTrue(undocumented.isEmpty(), "keys without a comment: " + undocumented);
  }
}
