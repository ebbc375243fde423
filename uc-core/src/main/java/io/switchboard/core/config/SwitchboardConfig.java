package io.switchboard.core.config;

import io.switchboard.core.security.Redact;
import io.vertx.core.VertxOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;

/**
 * The typed, validated configuration. Keys, defaults and units are documented once, in
 * {@code switchboard-reference.properties}; this record only parses and checks them.
 */
public record SwitchboardConfig(Sip sip, Im im, Presence presence, Web web, Store store, Optional<String> adminPassword,
    Ami ami, Provisioning provisioning, Tls tls, Backup backup, Log log, Cluster cluster, Email email,
    Broadcast broadcast) {

  @Override
  public String toString() {
    // A config dumped to a log must not carry the admin password, the AMI secret or store credentials.
    return "SwitchboardConfig[sip=" + sip + ", im=" + im + ", presence=" + presence + ", web=" + web + ", store=" + store
        + ", adminPassword=" + Redact.secret(adminPassword) + ", ami=" + ami + ", provisioning=" + provisioning
        + ", tls=" + tls + ", backup=" + backup + ", log=" + log + ", cluster=" + cluster + ", email=" + email
        + ", broadcast=" + broadcast + "]";
  }

  /**
   * SIP edge. Durations in seconds. floodRate is requests per second per source address (0: no
   * limit); floodExempt lists addresses and CIDR ranges neither throttle applies to. eventLoops is
   * how many Vert.x event loops SIP requests are spread over. registrarWriteBehind: seconds a
   * registration refresh may wait for its write to the store (0: written before its 200).
   * timerT1Millis and timerT2Millis: RFC 3261's T1 and T2 for the requests we send over UDP, in
   * milliseconds; clientTransactionsPerLoop: such requests awaiting their answer on one SIP context
   * at most.
   */
  public record Sip(String bindAddress, int port, String domain, Optional<String> advertisedAddress,
      int minExpires, int maxExpires, int defaultExpires, List<String> authAlgorithms,
      int nonceLifetime, int authMaxFailures, int authFailureWindow, int authBlockTime, int floodRate,
      List<String> floodExempt, int eventLoops, int registrarWriteBehind, int timerT1Millis, int timerT2Millis,
      int clientTransactionsPerLoop) {
  }

  /**
   * Instant messaging. Size in bytes, fork timeout in seconds, store age in hours. maxFileSize: the largest
   * file sent in a chat, bytes; fileMaxAgeHours: how long a delivered message's file is kept, hours.
   */
  public record Im(int maxMessageSize, int forkTimeoutSeconds, int storeMaxAgeHours, long maxFileSize,
      int fileMaxAgeHours) {

    /** With the default file limits (25 MiB, 30 days). */
    public Im(int maxMessageSize, int forkTimeoutSeconds, int storeMaxAgeHours) {
      this(maxMessageSize, forkTimeoutSeconds, storeMaxAgeHours, 25L * 1024 * 1024, 720);
    }
  }

  /**
   * Presence. defaultRule is one of allow, block, polite-block, confirm. Intervals in seconds.
   * listUriPattern: the user part of a buddy list's URI (RFC 4662), {@code {user}} standing for the
   * owner; a group's list appends {@code -<group>}. listMinIntervalMillis: at most one NOTIFY per list
   * subscription per this many milliseconds. activeWindowSeconds: how recent a use of a device must be
   * to count for the device in use.
   */
  public record Presence(String defaultRule, int minExpires, int maxExpires, int defaultExpires,
      String listUriPattern, int listMinIntervalMillis, int activeWindowSeconds) {

    public static final String DEFAULT_LIST_URI_PATTERN = "{user}-buddies";

    /** Without list settings: their defaults. */
    public Presence(String defaultRule, int minExpires, int maxExpires, int defaultExpires) {
      this(defaultRule, minExpires, maxExpires, defaultExpires, DEFAULT_LIST_URI_PATTERN, 1000, 600);
    }

    /** The user part of the owner's whole buddy list, e.g. {@code alice-buddies}. */
    public String listUser(String owner) {
      return listUriPattern.replace("{user}", owner);
    }

    /** The user part of one group's list, e.g. {@code alice-buddies-sales} (the group as {@link #groupSlug}). */
    public String listUser(String owner, String group) {
      return listUser(owner) + "-" + groupSlug(group);
    }

    /** A group's name as it appears in a list URI: lower case, runs of anything but a-z and 0-9 as one '-'. */
    public static String groupSlug(String group) {
      String slug = group.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]+", "-");
      return slug.replaceAll("^-+|-+$", "");
    }
  }

  /**
   * Web console. Session timeout in minutes, login window in seconds. metricsToken: the bearer token
   * for {@code /metrics} (key {@code metrics.token}); empty, an admin session only.
   */
  public record Web(String bindAddress, int port, int sessionTimeoutMinutes, int loginMaxFailures,
      int loginWindowSeconds, Optional<String> metricsToken) {

    /** Without a metrics token. */
    public Web(String bindAddress, int port, int sessionTimeoutMinutes, int loginMaxFailures, int loginWindowSeconds) {
      this(bindAddress, port, sessionTimeoutMinutes, loginMaxFailures, loginWindowSeconds, Optional.empty());
    }

    @Override
    public String toString() {
      return "Web[bindAddress=" + bindAddress + ", port=" + port + ", sessionTimeoutMinutes=" + sessionTimeoutMinutes
          + ", loginMaxFailures=" + loginMaxFailures + ", loginWindowSeconds=" + loginWindowSeconds
          + ", metricsToken=" + Redact.secret(metricsToken) + "]";
    }
  }

  /**
   * The store: embedded under dataDir unless a MongoDB URI is given. servePort: the embedded store also
   * served to other nodes on serveAddress:servePort (0: not served), to loopback, the cluster's
   * members and serveClients (addresses and CIDR ranges) only.
   */
  public record Store(Path dataDir, Optional<String> mongoUri, String database, int servePort, String serveAddress,
      List<String> serveClients, java.time.Duration checkpointInterval, int checkpointJournalMb) {

    /**
     * {@code store.checkpoint-interval}: the embedded store's checkpoint at least this often while written
     * (measured: bench/README, "Event loop and checkpoints (imhot)").
     */
    public static final java.time.Duration CHECKPOINT_INTERVAL = java.time.Duration.ofSeconds(15);
    /**
     * {@code store.checkpoint-journal-mb}: and whenever the journal's current file has grown this large. What
     * was written since the last checkpoint stays on the heap as unsaved pages, which every young collection
     * copies: 8 MB rather than 32 cut the collections' pauses by a third under MESSAGE load (bench/README,
     * "Where we stand (2026-12-01, 10:10)").
     */
    public static final int CHECKPOINT_JOURNAL_MB = 8;

    /** Not served to other nodes. */
    public Store(Path dataDir, Optional<String> mongoUri, String database) {
      this(dataDir, mongoUri, database, 0, "127.0.0.1", List.of());
    }

    /** With the default checkpoints. */
    public Store(Path dataDir, Optional<String> mongoUri, String database, int servePort, String serveAddress,
        List<String> serveClients) {
      this(dataDir, mongoUri, database, servePort, serveAddress, serveClients, CHECKPOINT_INTERVAL,
          CHECKPOINT_JOURNAL_MB);
    }

    /** This store with other checkpoint thresholds (bench, tests). */
    public Store withCheckpoints(java.time.Duration interval, int journalMb) {
      return new Store(dataDir, mongoUri, database, servePort, serveAddress, serveClients, interval, journalMb);
    }

    public boolean served() {
      return servePort > 0;
    }

    @Override
    public String toString() {
      return "Store[dataDir=" + dataDir + ", mongoUri=" + Redact.uri(mongoUri) + ", database=" + database
          + ", servePort=" + servePort + ", serveAddress=" + serveAddress + ", serveClients=" + serveClients
          + ", checkpointInterval=" + checkpointInterval + ", checkpointJournalMb=" + checkpointJournalMb + "]";
    }
  }

  /**
   * Clustering: Vert.x's clustered event bus on Hazelcast when enabled. members: host:port of the nodes
   * to join (TCP/IP, no multicast); port: Hazelcast's port on bindAddress. secret: the cluster's shared
   * secret (key {@code cluster.secret}), set whenever the cluster is enabled or the store served: the
   * password of the served store's user {@link #STORE_USER} and the source of the Hazelcast cluster name.
   */
  public record Cluster(boolean enabled, List<String> members, int port, String bindAddress, Optional<String> secret) {

    /** The user other nodes name in their mongo.uri for the served store. */
    public static final String STORE_USER = "switchboard";

    /** Without a secret (a single node). */
    public Cluster(boolean enabled, List<String> members, int port, String bindAddress) {
      this(enabled, members, port, bindAddress, Optional.empty());
    }

    /** The hosts of {@link #members}, without their ports. */
    public List<String> memberHosts() {
      return members.stream().map(m -> m.substring(0, m.lastIndexOf(':')).replaceAll("^\\[|\\]$", "")).toList();
    }

    @Override
    public String toString() {
      return "Cluster[enabled=" + enabled + ", members=" + members + ", port=" + port + ", bindAddress=" + bindAddress
          + ", secret=" + Redact.secret(secret) + "]";
    }
  }

  /**
   * Asterisk Manager Interface; absent host means no Asterisk. Originate timeout in seconds. The
   * conference extension (absent: no conference calls) is dialled in the conference context.
   */
  public record Ami(Optional<String> host, int port, String username, String secret, String originateContext,
      int originateTimeoutSeconds, boolean autoAnswer, String conferenceContext, Optional<String> conferenceExtension) {

    /** Without click-to-call settings: the reference defaults. */
    public Ami(Optional<String> host, int port, String username, String secret) {
      this(host, port, username, secret, "internal", 30, true, "internal", Optional.empty());
    }

    public boolean configured() {
      return host.isPresent();
    }

    @Override
    public String toString() {
      return "Ami[host=" + host + ", port=" + port + ", username=" + username + ", secret=" + Redact.secret(secret)
          + ", originateContext=" + originateContext + ", originateTimeoutSeconds=" + originateTimeoutSeconds
          + ", autoAnswer=" + autoAnswer + ", conferenceContext=" + conferenceContext + ", conferenceExtension="
          + conferenceExtension + "]";
    }
  }

  /**
   * Phone auto-provisioning and Asterisk's PJSIP file. auth is {@code token} (a per-device token in
   * the URL path) or {@code digest} (HTTP digest, per-device user and password). Probe window in
   * seconds. backupServers: the other nodes phones are given as backup servers for Switchboard's
   * account, in order (empty: none, the files as without clustering); failoverRegisterInterval: the
   * registration interval, seconds, written with them.
   */
  public record Provisioning(String bindAddress, int port, Optional<String> baseUrl, String auth,
      Optional<Path> templateDir, Path pjsipFile, Optional<String> asteriskSipHost, int asteriskSipPort,
      String asteriskContext, String voicemailNumber, int probeMaxFailures, int probeWindowSeconds,
      List<SipServer> backupServers, int failoverRegisterInterval) {
  }

  /** A SIP server as phones reach it: a host name or address, and a port (0: the node's own SIP port for phones). */
  public record SipServer(String host, int port) {
  }

  /**
   * One certificate for every listener: PEM files (the certificate chain, and its private key in
   * PKCS#8 or PKCS#1). Both or neither: without them everything runs in clear text. sipPort is the
   * SIP-over-TLS port.
   */
  public record Tls(Optional<Path> cert, Optional<Path> key, int sipPort) {

    public boolean enabled() {
      return cert.isPresent();
    }
  }

  /**
   * Scheduled backups: every intervalSeconds into dir, the newest keep archives kept. Empty dir:
   * none (GET /api/backup and the restore command need no configuration).
   */
  public record Backup(Optional<Path> dir, long intervalSeconds, int keep) {

    public boolean scheduled() {
      return dir.isPresent();
    }
  }

  /**
   * E-mail for missed messages. No smtpHost: none is sent. starttls is {@code required}, {@code optional} or
   * {@code disabled}; username and password both or neither; afterSeconds: how long a stored message waits
   * before its recipient is mailed; intervalSeconds: at most one mail per user within it; consoleUrl: the
   * console's address written into the mails.
   */
  public record Email(Optional<String> smtpHost, int smtpPort, String username, String password, String from,
      String starttls, Optional<Path> caFile, int afterSeconds, int intervalSeconds, String consoleUrl) {

    public boolean enabled() {
      return smtpHost.isPresent();
    }

    @Override
    public String toString() {
      return "Email[smtpHost=" + smtpHost + ", smtpPort=" + smtpPort + ", username=" + username + ", password="
          + Redact.secret(password) + ", from=" + from + ", starttls=" + starttls + ", caFile=" + caFile
          + ", afterSeconds=" + afterSeconds + ", intervalSeconds=" + intervalSeconds + ", consoleUrl=" + consoleUrl + "]";
    }
  }

  /** Broadcasts: the display name phones show for {@code sip:broadcast@domain}. */
  public record Broadcast(String displayName) {
  }

  /** Logs: format is {@code text} (the default) or {@code json} (one JSON object per line). */
  public record Log(String format) {

    public boolean json() {
      return format.equals("json");
    }
  }

  static SwitchboardConfig from(Properties p) {
    Reader r = new Reader(p);
    Sip sip = new Sip(
        r.string("sip.bind-address"),
        r.port("sip.port"),
        r.domain("sip.domain"),
        r.optional("sip.advertised-address"),
        r.intIn("sip.min-expires", 1, 86_400),
        r.intIn("sip.max-expires", 1, 604_800),
        r.intIn("sip.default-expires", 1, 604_800),
        r.algorithms("sip.auth.algorithms"),
        r.intIn("sip.auth.nonce-lifetime", 10, 86_400),
        r.intIn("sip.auth.max-failures", 1, 100_000),
        r.intIn("sip.auth.failure-window", 1, 86_400),
        r.intIn("sip.auth.block-time", 1, 86_400),
        r.intIn("sip.flood.rate", 0, 1_000_000),
        r.addressRanges("sip.flood.exempt"),
        r.optional("sip.event-loops").isEmpty() ? VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE
            : r.intIn("sip.event-loops", 1, 1024),
        r.intIn("sip.registrar.write-behind", 0, 60),
        r.intIn("sip.timer.t1", 10, 10_000),
        r.intIn("sip.timer.t2", 10, 60_000),
        r.intIn("sip.client-transactions.per-loop", 1, 1_000_000));
    if (sip.timerT2Millis() < sip.timerT1Millis()) {
      throw new ConfigException("sip.timer.t2", "must not be below sip.timer.t1 (" + sip.timerT1Millis() + ")");
    }
    if (sip.maxExpires() < sip.minExpires()) {
      throw new ConfigException("sip.max-expires", "must not be below sip.min-expires (" + sip.minExpires() + ")");
    }
    Im im = new Im(
        r.intIn("im.max-message-size", 1, 1_048_576),
        r.intIn("im.fork-timeout", 1, 30),
        r.intIn("im.store-max-age", 1, 24 * 365),
        r.intIn("im.max-file-size", 1, 1_073_741_824),
        r.intIn("im.file-max-age", 1, 24 * 3650));
    String rule = r.string("presence.default-rule");
    if (!List.of("allow", "block", "polite-block", "confirm").contains(rule)) {
      throw new ConfigException("presence.default-rule", "'" + rule + "' is not allow, block, polite-block or confirm");
    }
    Presence presence = new Presence(rule,
        r.intIn("presence.min-expires", 1, 86_400),
        r.intIn("presence.max-expires", 1, 604_800),
        r.intIn("presence.default-expires", 1, 604_800),
        r.string("presence.list-uri-pattern"),
        r.intIn("presence.list-min-interval", 0, 60_000),
        r.intIn("presence.active-window", 1, 86_400));
    if (!presence.listUriPattern().matches("[A-Za-z0-9._~-]*\\{user\\}[A-Za-z0-9._~-]*")
        || presence.listUriPattern().equals("{user}")) {
      throw new ConfigException("presence.list-uri-pattern",
          "'" + presence.listUriPattern() + "' must contain {user} once, with a prefix or suffix of letters, digits, '.', '_', '~' or '-'");
    }
    if (presence.maxExpires() < presence.minExpires()) {
      throw new ConfigException("presence.max-expires", "must not be below presence.min-expires (" + presence.minExpires() + ")");
    }
    Web web = new Web(
        r.string("web.bind-address"),
        r.port("web.port"),
        r.intIn("web.session-timeout", 1, 7 * 24 * 60),
        r.intIn("web.login.max-failures", 1, 1000),
        r.intIn("web.login.window", 1, 86_400),
        r.optional("metrics.token"));
    if (web.metricsToken().isPresent() && web.metricsToken().get().length() < 16) {
      throw new ConfigException("metrics.token", "must have at least 16 characters");
    }
    Optional<String> uri = r.optional("mongo.uri");
    if (uri.isPresent() && !uri.get().startsWith("mongodb://") && !uri.get().startsWith("mongodb+srv://")) {
      throw new ConfigException("mongo.uri", "must start with mongodb:// or mongodb+srv://");
    }
    Store store = store(r, uri);
    Optional<String> admin = r.optional("admin.password");
    if (admin.isPresent() && admin.get().length() < 8) {
      throw new ConfigException("admin.password", "must have at least 8 characters");
    }
    Ami ami = new Ami(r.optional("ami.host"), r.port("ami.port"), r.raw("ami.username"), r.raw("ami.secret"),
        r.string("ami.originate-context"), r.intIn("ami.originate-timeout", 5, 300), r.bool("ami.auto-answer"),
        r.string("ami.conference-context"), r.optional("ami.conference-extension"));
    if (ami.conferenceExtension().isPresent() && !ami.conferenceExtension().get().matches("[0-9*#+]{1,32}")) {
      throw new ConfigException("ami.conference-extension", "'" + ami.conferenceExtension().get()
          + "' is not an extension (digits, * and #)");
    }
    if (ami.configured() && ami.username().isEmpty()) {
      throw new ConfigException("ami.username", "required when ami.host is set");
    }
    Provisioning provisioning = provisioning(r, store.dataDir(), sip);
    String logFormat = r.string("log.format").toLowerCase(Locale.ROOT);
    if (!logFormat.equals("text") && !logFormat.equals("json")) {
      throw new ConfigException("log.format", "'" + logFormat + "' is not text or json");
    }
    Tls tls = tls(r);
    return new SwitchboardConfig(sip, im, presence, web, store, admin, ami, provisioning, tls, backup(r), new Log(logFormat),
        cluster(r, store.served()), email(r, sip, web, tls), broadcast(r));
  }

  private static Broadcast broadcast(Reader r) {
    String name = r.string("broadcast.display-name");
    if (name.length() > 64 || name.chars().anyMatch(c -> c < 0x20 || c == '"' || c == '\\' || c == 0x7f)) {
      throw new ConfigException("broadcast.display-name", "1 to 64 characters, without quotes, backslashes or control characters");
    }
    return new Broadcast(name);
  }

  private static Email email(Reader r, Sip sip, Web web, Tls tls) {
    Optional<String> host = r.optional("smtp.host");
    int port = r.intIn("smtp.port", 1, 65_535);
    String username = r.raw("smtp.username");
    String password = r.raw("smtp.password");
    if (username.isEmpty() != password.isEmpty()) {
      throw new ConfigException(username.isEmpty() ? "smtp.username" : "smtp.password", "smtp.username and smtp.password go together");
    }
    String from = r.raw("smtp.from");
    if (host.isPresent() && from.isEmpty()) {
      throw new ConfigException("smtp.from", "required when smtp.host is set");
    }
    if (!from.isEmpty() && !EmailAddress.valid(from)) {
      throw new ConfigException("smtp.from", "'" + from + "' is not an e-mail address");
    }
    String starttls = r.string("smtp.starttls").toLowerCase(Locale.ROOT);
    if (!List.of("required", "optional", "disabled").contains(starttls)) {
      throw new ConfigException("smtp.starttls", "'" + starttls + "' is not required, optional or disabled");
    }
    Optional<Path> ca = r.optional("smtp.ca-file").map(Path::of);
    if (ca.isPresent() && !java.nio.file.Files.isReadable(ca.get())) {
      throw new ConfigException("smtp.ca-file", "'" + ca.get() + "' is not a readable file");
    }
    Optional<String> url = r.optional("web.public-url");
    if (url.isPresent() && !url.get().matches("https?://[^/\\s]+(/\\S*)?")) {
      throw new ConfigException("web.public-url", "'" + url.get() + "' is not an http:// or https:// URL");
    }
    String consoleUrl = url.orElse((tls.enabled() ? "https://" : "http://") + sip.advertisedAddress().orElse(sip.domain())
        + ":" + web.port() + "/");
    return new Email(host, port, username, password, from, starttls, ca,
        r.intIn("notify.email.after", 1, 604_800), r.intIn("notify.email.interval", 1, 604_800), consoleUrl);
  }

  private static Store store(Reader r, Optional<String> uri) {
    int servePort = r.optional("store.serve-port").isEmpty() ? 0 : r.intIn("store.serve-port", 1, 65_535);
    if (servePort > 0 && uri.isPresent()) {
      throw new ConfigException("store.serve-port", "serves the embedded store: not with mongo.uri");
    }
    String serveAddress = r.ipAddress("store.serve-address");
    if (!privateOrLoopback(serveAddress)) {
      throw new ConfigException("store.serve-address", "'" + serveAddress
          + "' is public: bind the served store to loopback or a private address");
    }
    return new Store(Path.of(r.string("data.dir")), uri, r.string("mongo.database"), servePort, serveAddress,
        r.addressRanges("store.serve-clients"),
        java.time.Duration.ofSeconds(r.duration("store.checkpoint-interval", 1, 3_600)),
        r.intIn("store.checkpoint-journal-mb", 1, 4_096));
  }

  /** Loopback, RFC 1918, RFC 4193 (fc00::/7) or link-local. */
  static boolean privateOrLoopback(String address) {
    try {
      java.net.InetAddress a = java.net.InetAddress.getByName(address);
      byte[] b = a.getAddress();
      boolean uniqueLocal6 = b.length == 16 && (b[0] & 0xfe) == 0xfc;
      return a.isLoopbackAddress() || a.isSiteLocalAddress() || a.isLinkLocalAddress() || uniqueLocal6;
    } catch (java.net.UnknownHostException e) {
      return false;
    }
  }

  /** The shortest cluster.secret accepted: the served store's password and the cluster name's source. */
  static final int MIN_SECRET_LENGTH = 16;

  private static Cluster cluster(Reader r, boolean storeServed) {
    int port = r.port("cluster.port");
    List<String> members = new ArrayList<>();
    for (String item : r.raw("cluster.members").split(",")) {
      String m = item.trim();
      if (m.isEmpty()) {
        continue;
      }
      java.util.regex.Matcher hp = java.util.regex.Pattern.compile("(\\[[0-9a-fA-F:.]+\\]|[A-Za-z0-9.-]+)(?::([0-9]{1,5}))?").matcher(m);
      if (!hp.matches() || (hp.group(2) != null && Integer.parseInt(hp.group(2)) > 65_535)) {
        throw new ConfigException("cluster.members", "'" + m + "' is not host or host:port");
      }
      members.add(hp.group(1) + ":" + (hp.group(2) == null ? port : Integer.parseInt(hp.group(2))));
    }
    boolean enabled = r.bool("cluster.enabled");
    return new Cluster(enabled, List.copyOf(members), port, r.ipAddress("cluster.bind-address"),
        clusterSecret(r, enabled, storeServed));
  }

  /**
   * Required with cluster.enabled or store.serve-port; at least 16 printable ASCII characters, so that
   * SCRAM's SaslPrep leaves it unchanged (the driver applies it to the password) and it fits a mongo.uri
   * once percent-encoded. The message never repeats the value.
   */
  private static Optional<String> clusterSecret(Reader r, boolean enabled, boolean storeServed) {
    Optional<String> secret = r.optional("cluster.secret");
    if (secret.isEmpty()) {
      if (enabled || storeServed) {
        throw new ConfigException("cluster.secret", "required when " + (enabled ? "cluster.enabled is true"
            : "store.serve-port is set") + " (at least " + MIN_SECRET_LENGTH + " characters, the same on every node)");
      }
      return secret;
    }
    if (secret.get().length() < MIN_SECRET_LENGTH) {
      throw new ConfigException("cluster.secret", "must have at least " + MIN_SECRET_LENGTH + " characters");
    }
    if (!secret.get().chars().allMatch(c -> c >= 0x20 && c <= 0x7e)) {
      throw new ConfigException("cluster.secret", "must be printable ASCII (letters, digits, punctuation, spaces)");
    }
    return secret;
  }

  private static Tls tls(Reader r) {
    Optional<Path> cert = r.optional("tls.cert").map(Path::of);
    Optional<Path> key = r.optional("tls.key").map(Path::of);
    if (cert.isPresent() != key.isPresent()) {
      String missing = cert.isPresent() ? "tls.key" : "tls.cert";
      throw new ConfigException(missing, "required when " + (cert.isPresent() ? "tls.cert" : "tls.key") + " is set");
    }
    for (var file : java.util.Map.of("tls.cert", cert, "tls.key", key).entrySet()) {
      if (file.getValue().isPresent() && !java.nio.file.Files.isReadable(file.getValue().get())) {
        throw new ConfigException(file.getKey(), "'" + file.getValue().get() + "' is not a readable file");
      }
    }
    return new Tls(cert, key, r.port("sip.tls-port"));
  }

  private static Backup backup(Reader r) {
    Optional<Path> dir = r.optional("backup.dir").map(Path::of);
    if (dir.isPresent() && java.nio.file.Files.exists(dir.get()) && !java.nio.file.Files.isDirectory(dir.get())) {
      throw new ConfigException("backup.dir", "'" + dir.get() + "' is not a directory");
    }
    return new Backup(dir, r.duration("backup.interval", 1, 366L * 86_400), r.intIn("backup.keep", 1, 10_000));
  }

  private static Provisioning provisioning(Reader r, Path dataDir, Sip sip) {
    Optional<String> baseUrl = r.optional("provisioning.base-url").map(u -> u.endsWith("/") ? u.substring(0, u.length() - 1) : u);
    if (baseUrl.isPresent() && !baseUrl.get().matches("https?://[^/\\s]+(/\\S*)?")) {
      throw new ConfigException("provisioning.base-url", "'" + baseUrl.get() + "' is not an http:// or https:// URL");
    }
    String auth = r.string("provisioning.auth");
    if (!auth.equals("token") && !auth.equals("digest")) {
      throw new ConfigException("provisioning.auth", "'" + auth + "' is not token or digest");
    }
    String voicemail = r.string("provisioning.voicemail-number");
    if (!voicemail.matches("[0-9*#]{1,16}")) {
      throw new ConfigException("provisioning.voicemail-number", "'" + voicemail + "' is not digits, * or #");
    }
    String context = r.string("provisioning.asterisk-context");
    if (!context.matches("[A-Za-z0-9_-]{1,79}")) {
      throw new ConfigException("provisioning.asterisk-context", "'" + context + "' is not a dialplan context name");
    }
    return new Provisioning(r.string("provisioning.bind-address"), r.port("provisioning.port"), baseUrl, auth,
        r.optional("provisioning.template-dir").map(Path::of), r.optional("provisioning.pjsip-file").map(Path::of).orElse(dataDir.resolve("pjsip_switchboard.conf")),
        r.optional("provisioning.asterisk-sip-host"), r.port("provisioning.asterisk-sip-port"), context, voicemail,
        r.intIn("provisioning.probe.max-failures", 1, 10_000), r.intIn("provisioning.probe.window", 1, 86_400),
        sipServers(r, "provisioning.backup-servers"),
        // Outside the registrar's bounds the phone would get 423 or a longer interval than written.
        r.intIn("provisioning.failover-register-interval", sip.minExpires(), sip.maxExpires()));
  }

  /** Comma-separated host[:port] (IPv6 in brackets), in order, each once; a missing port is 0. */
  private static List<SipServer> sipServers(Reader r, String key) {
    List<SipServer> out = new ArrayList<>();
    for (String item : r.raw(key).split(",")) {
      String s = item.trim();
      if (s.isEmpty()) {
        continue;
      }
      java.util.regex.Matcher hp = java.util.regex.Pattern.compile("(\\[[0-9a-fA-F:.]+\\]|[A-Za-z0-9.-]+)(?::([0-9]{1,5}))?").matcher(s);
      int port = hp.matches() && hp.group(2) != null ? Integer.parseInt(hp.group(2)) : 0;
      if (!hp.matches() || (hp.group(2) != null && (port < 1 || port > 65_535))) {
        throw new ConfigException(key, "'" + s + "' is not host or host:port (port 1 to 65535)");
      }
      SipServer server = new SipServer(hp.group(1).toLowerCase(Locale.ROOT), port);
      if (out.contains(server)) {
        throw new ConfigException(key, "'" + s + "' is listed twice");
      }
      out.add(server);
    }
    return List.copyOf(out);
  }

  /** Parses single values, always naming the key when one is wrong. */
  private record Reader(Properties p) {

    String raw(String key) {
      String v = p.getProperty(key);
      if (v == null) {
        throw new ConfigException(key, "missing");
      }
      return v.trim();
    }

    String string(String key) {
      String v = raw(key);
      if (v.isEmpty()) {
        throw new ConfigException(key, "must not be empty");
      }
      return v;
    }

    Optional<String> optional(String key) {
      String v = raw(key);
      return v.isEmpty() ? Optional.empty() : Optional.of(v);
    }

    int intIn(String key, int min, int max) {
      String v = string(key);
      int n;
      try {
        n = Integer.parseInt(v);
      } catch (NumberFormatException e) {
        throw new ConfigException(key, "'" + v + "' is not a whole number");
      }
      if (n < min || n > max) {
        throw new ConfigException(key, n + " is outside " + min + ".." + max);
      }
      return n;
    }

    /** A duration in seconds, written with a unit (90s, 30m, 24h, 7d) or as bare seconds. */
    long duration(String key, long minSeconds, long maxSeconds) {
      String v = string(key).toLowerCase(Locale.ROOT);
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("([0-9]{1,9})\\s*([smhd]?)").matcher(v);
      if (!m.matches()) {
        throw new ConfigException(key, "'" + v + "' is not a duration such as 90s, 30m, 24h or 7d");
      }
      long unit = switch (m.group(2)) {
        case "m" -> 60;
        case "h" -> 3600;
        case "d" -> 86_400;
        default -> 1;
      };
      long seconds = Long.parseLong(m.group(1)) * unit;
      if (seconds < minSeconds || seconds > maxSeconds) {
        throw new ConfigException(key, "'" + v + "' is outside " + minSeconds + " s.." + maxSeconds / 86_400 + " d");
      }
      return seconds;
    }

    /** An IPv4 or IPv6 address (not a host name: a listener binds to it). */
    String ipAddress(String key) {
      String v = string(key);
      if (!io.netty.util.NetUtil.isValidIpV4Address(v) && !io.netty.util.NetUtil.isValidIpV6Address(v)) {
        throw new ConfigException(key, "'" + v + "' is not an IP address");
      }
      return v;
    }

    int port(String key) {
      return intIn(key, 0, 65_535);
    }

    boolean bool(String key) {
      String v = string(key).toLowerCase(Locale.ROOT);
      return switch (v) {
        case "true", "yes", "on" -> true;
        case "false", "no", "off" -> false;
        default -> throw new ConfigException(key, "'" + v + "' is not true or false");
      };
    }

    String domain(String key) {
      String v = string(key).toLowerCase(Locale.ROOT);
      if (!v.matches("[a-z0-9]([a-z0-9.-]*[a-z0-9])?")) {
        throw new ConfigException(key, "'" + v + "' is not a host name or IPv4 address");
      }
      return v;
    }

    /** Comma-separated IP addresses and CIDR ranges (192.0.2.0/24, 2001:db8::/32); empty: none. */
    List<String> addressRanges(String key) {
      List<String> out = new ArrayList<>();
      for (String item : raw(key).split(",")) {
        String range = item.trim();
        if (range.isEmpty()) {
          continue;
        }
        int slash = range.indexOf('/');
        String address = slash < 0 ? range : range.substring(0, slash);
        boolean v4 = io.netty.util.NetUtil.isValidIpV4Address(address);
        if (!v4 && !io.netty.util.NetUtil.isValidIpV6Address(address)) {
          throw new ConfigException(key, "'" + range + "' is not an IP address or CIDR range");
        }
        if (slash >= 0) {
          String bits = range.substring(slash + 1);
          int max = v4 ? 32 : 128;
          if (!bits.matches("[0-9]{1,3}") || Integer.parseInt(bits) > max) {
            throw new ConfigException(key, "'" + range + "' has a prefix length outside 0.." + max);
          }
        }
        out.add(range);
      }
      return List.copyOf(out);
    }

    List<String> algorithms(String key) {
      List<String> out = new ArrayList<>();
      for (String a : string(key).split(",")) {
        String alg = a.trim().toUpperCase(Locale.ROOT);
        if (!alg.equals("MD5") && !alg.equals("SHA-256")) {
          throw new ConfigException(key, "'" + a.trim() + "' is not MD5 or SHA-256");
        }
        if (!out.contains(alg)) {
          out.add(alg);
        }
      }
      return List.copyOf(out);
    }
  }
}
