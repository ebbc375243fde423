package io.switchboard.server;

import io.switchboard.api.EventAddresses;
import io.switchboard.api.cluster.ClusterMerged;
import io.switchboard.core.backup.BackupWriter;
import io.switchboard.core.backup.Backups;
import io.switchboard.core.backup.ScheduledBackups;
import io.switchboard.core.config.SwitchboardConfig;
import io.switchboard.core.exec.TaskPools;
import io.switchboard.core.health.Health;
import io.switchboard.core.metrics.Metrics;
import io.switchboard.core.sip.MongoBindingStore;
import io.switchboard.core.sip.SipService;
import io.switchboard.core.security.SecurityLog;
import io.switchboard.core.store.MongoStore;
import io.switchboard.core.store.ServedStore;
import io.switchboard.core.store.CachingDeviceStore;
import io.switchboard.core.store.CachingUserStore;
import io.switchboard.core.store.MongoUserStore;
import io.switchboard.core.store.MongoDeviceStore;
import io.switchboard.core.tls.CertificateWatcher;
import io.switchboard.core.tls.TlsCredentials;
import io.switchboard.im.ImService;
import io.switchboard.presence.PresenceService;
import io.switchboard.server.cluster.ClusterNode;
import io.switchboard.server.logging.LogLevels;
import io.switchboard.provisioning.ProvisioningService;
import io.switchboard.telephony.TelephonyService;
import io.switchboard.core.account.PasswordLinks;
import io.switchboard.core.account.UserAccounts;
import io.switchboard.core.store.MongoApiTokenStore;
import io.switchboard.core.store.MongoPasswordLinkStore;
import io.switchboard.web.ApiContract;
import io.switchboard.web.WebConsole;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root: builds every component in order, passes dependencies through
 * constructors, and starts each only after the one it needs has started. Health reports each
 * component as it comes up; the web console (and so {@code /api/health}) opens last.
 */
public final class Switchboard {

  private static final Logger LOG = LoggerFactory.getLogger(Switchboard.class);
  private static final long STORE_PROBE_MILLIS = 10_000;

  private final Vertx vertx;
  private final SwitchboardConfig config;
  private final Health health = new Health();
  private final Consumer<String> announce;
  /** One bounded pool per kind of blocking work: store calls, password hashing, TCP/TLS sends. */
  private final TaskPools pools;
  /** Every meter, shown at /metrics and on the status page; recorded at each component's seams. */
  private final Metrics metrics;
  private MongoStore store;
  /** The embedded store served to other nodes (store.serve-port); null when not. */
  private ServedStore servedStore;
  private Backups backups;
  private ScheduledBackups scheduledBackups;
  private Optional<TlsCredentials> tls = Optional.empty();
  private CertificateWatcher certificateWatcher;
  private CachingUserStore users;
  private CachingDeviceStore devices;
  private SipService sip;
  private ImService im;
  private PresenceService presence;
  private TelephonyService telephony;
  private ProvisioningService provisioning;
  private WebConsole web;
  private String webDeployment;
  private long storeProbe = -1;
  /**
   * Completed once everything serves: the reads of whole collections (200,000 bindings, 100,000
   * profiles and devices) wait for it, so that start-up's own store calls are not queued behind them;
   * meanwhile each user's part is read on first need.
   */
  private final io.vertx.core.Promise<Void> serving = io.vertx.core.Promise.promise();
  /** This node's cluster, when cluster.enabled; else empty (a single node). */
  private Optional<ClusterNode> cluster = Optional.empty();
  /** Tests hold the whole-collection reads back longer, to send requests while nothing is loaded. */
  private Future<Void> readsHeldUntil = Future.succeededFuture();
  /** The admin page's run-time log levels (empty unless logging is logback). */
  private final Optional<LogLevels> logLevels = LogLevels.ofLogback();

  /** @param announce where the one-time generated admin password is shown (the console) */
  public Switchboard(Vertx vertx, SwitchboardConfig config, Consumer<String> announce) {
    this(vertx, config, new Metrics(), announce);
  }

  /**
   * @param metrics where every component's meters go; Vert.x's own too when {@code vertx} was built by
   *     {@link Metrics#newVertx}
   */
  public Switchboard(Vertx vertx, SwitchboardConfig config, Metrics metrics, Consumer<String> announce) {
    this.vertx = vertx;
    this.config = config;
    this.announce = announce;
    this.metrics = metrics;
    this.pools = TaskPools.withDefaults(vertx, metrics);
  }

  public Metrics metrics() {
    return metrics;
  }

  public Health health() {
    return health;
  }

  public SipService sip() {
    return sip;
  }

  /**
   * The certificate for every TLS listener, once started; empty without {@code tls.cert}. A server
   * given its {@code keyCertOptions()} follows reloads; {@code TLS_RELOADED} announces them.
   */
  public Optional<TlsCredentials> tls() {
    return tls;
  }

  /** Re-reads the certificate files now, as SIGHUP does; false when not configured or not taken. */
  public Future<Boolean> reloadCertificate() {
    return certificateWatcher == null ? Future.succeededFuture(false) : certificateWatcher.reloadNow("request");
  }

  public WebConsole web() {
    return web;
  }

  public ProvisioningService provisioning() {
    return provisioning;
  }

  /** The store, once started (tests read it directly). */
  MongoStore store() {
    return store;
  }

  /** Scheduled backups, when {@code backup.dir} is set; else null. */
  ScheduledBackups scheduledBackups() {
    return scheduledBackups;
  }

  /** This build's version (from the jar's manifest), for backups' manifests. */
  static String version() {
    String v = Switchboard.class.getPackage().getImplementationVersion();
    return v == null ? "development" : v;
  }

  /** Runs as a node of this cluster ({@code vertx} must be its clustered Vert.x). Before {@link #start()}. */
  public Switchboard inCluster(ClusterNode node) {
    cluster = Optional.of(node);
    return this;
  }

  /** This node's id in the cluster; empty on a single node. */
  public Optional<String> nodeId() {
    return cluster.map(ClusterNode::nodeId);
  }

  /** Tests: the whole-collection reads also wait for {@code until}. Before {@link #start()}. */
  void holdWholeReads(Future<Void> until) {
    readsHeldUntil = until;
  }

  /** What the background reads of bindings wait for, then those of profiles, then those of endpoints and users. */
  private Future<Void> wholeReads() {
    return Future.all(serving.future(), readsHeldUntil).mapEmpty();
  }

  public Future<Void> start() {
    metrics.start(vertx);
    // The certificate first: a bad one stops start-up (naming tls.cert or tls.key) before anything listens.
    return startTls().compose(v -> startComponents());
  }

  private Future<Void> startTls() {
    if (!config.tls().enabled()) {
      LOG.warn("No TLS certificate (tls.cert, tls.key): SIP, the web console and provisioning are in clear text");
      return Future.succeededFuture();
    }
    return TlsCredentials.load(vertx, config.tls()).compose(credentials -> {
      tls = Optional.of(credentials);
      certificateWatcher = new CertificateWatcher(vertx, credentials, CertificateWatcher.DEFAULT_CHECK_INTERVAL);
      return certificateWatcher.start(true);
    });
  }

  private Future<Void> startComponents() {
    cluster.ifPresent(c -> c.reportTo(health));
    // The API's description takes about a second of a cold start to read and check: while the store opens.
    Future<ApiContract> apiContract = ApiContract.load(vertx);
    health.report("store", Health.State.STARTING);
    return vertx.executeBlocking(() -> {
      store = MongoStore.open(config.store(), pools.store());
      MongoUserStore users = new MongoUserStore(vertx, store);
      users.createIndexes();
      backups = new Backups(BackupWriter.of(store, version(), java.time.Clock.systemUTC()), pools.store(),
          java.time.Clock.systemUTC());
      if (config.backup().scheduled()) {
        scheduledBackups = new ScheduledBackups(vertx, backups, config.backup());
        scheduledBackups.prepare(); // a backup.dir that cannot be made stops start-up, naming the key
      }
      return new CachingUserStore(vertx, users, java.time.Clock.systemUTC());
    }).compose(cachedUsers -> {
      users = cachedUsers;
      health.report("store", Health.State.UP, new JsonObject().put("kind", store.embedded() ? "embedded" : "mongodb")
          .put("where", store.embedded() ? config.store().dataDir().toAbsolutePath().toString() : "mongo.uri"));
      storeProbe = vertx.setPeriodic(STORE_PROBE_MILLIS, id -> probeStore());
      return serveStore().map(cachedUsers);
    }).compose(cachedUsers -> {
      UserAccounts accounts = new UserAccounts(vertx, users, config.sip().domain(), pools.hashing());
      MongoDeviceStore mongoDevices = new MongoDeviceStore(vertx, store);
      // Cached: the registrar resolves device credentials, and IM device profiles, on every request.
      devices = new CachingDeviceStore(vertx, mongoDevices, java.time.Clock.systemUTC());
      return accounts.ensureAdmin(config.adminPassword()).compose(generated -> {
        generated.ifPresent(this::announceAdminPassword);
        sip = new SipService(vertx, config.sip(), tls, health, users, devices, new MongoBindingStore(vertx, store),
            java.time.Clock.systemUTC(), pools.sipSend(), metrics);
        cluster.ifPresent(c -> {
          sip.inCluster(c.nodeId());
          c.onMemberLeft(sip::nodeLeft); // a node killed: sends through it fail now, its bindings wait for their expiry
          c.onMemberJoined(sip::nodeJoined); // a partition healed: that node's phones are reached through it again
          c.onMerged(() -> {
            // This node was cut off: the bindings it missed are in the store; the AMI lock may be another's now.
            sip.rejoined();
            vertx.eventBus().publish(EventAddresses.CLUSTER_MERGED, new ClusterMerged(c.nodeId()).toJson(),
                new io.vertx.core.eventbus.DeliveryOptions().setLocalOnly(true));
          });
        });
        sip.location().loadAfter(wholeReads());
        // Feature modules put their SIP method handlers on the edge before it opens.
        im = new ImService(vertx, config, users, devices, sip, store);
        presence = new PresenceService(vertx, config, health, users, sip, store, devices);
        presence.loadAfter(sip.location().allLoaded()); // one whole read at a time: less at once on the heap and the store
        return vertx.executeBlocking(() -> {
          im.createIndexes();
          mongoDevices.createIndexes();
          return null;
        }).compose(x -> sip.start()).compose(x -> im.start()).compose(x -> presence.start())
            .compose(x -> {
              // After the SIP edge, whose advertised address phones are given for IM and presence.
              provisioning = new ProvisioningService(vertx, config, health, accounts, devices, sip);
              provisioning.loadAfter(presence.profilesLoaded()); // the PJSIP file: every device and user read
              return provisioning.start();
            });
      }).compose(v -> {
        // After presence, which turns its call-state events into on-the-phone.
        telephony = new TelephonyService(vertx, config.ami(), health, users, devices, metrics);
        telephony.loadAfter(presence.profilesLoaded());
        telephony.activeWindow(java.time.Duration.ofSeconds(config.presence().activeWindowSeconds()));
        return telephony.start();
      }).compose(v -> logLevels.map(l -> l.register(vertx.eventBus())).orElse(Future.succeededFuture()))
      .compose(v -> {
        MongoApiTokenStore tokens = new MongoApiTokenStore(vertx, store);
        web = new WebConsole(config.web(), config.tls(), health, accounts,
            new PasswordLinks(accounts, new MongoPasswordLinkStore(vertx, store), java.time.Clock.systemUTC()), tokens,
            metrics).withContract(apiContract).withBackups(backups)
            .withFiles(new io.switchboard.core.store.GridFsFileStore(vertx, store), config.im().maxFileSize());
        return vertx.executeBlocking(() -> {
          tokens.createIndexes();
          return null;
        }).compose(x -> vertx.deployVerticle(web));
      });
    }).<Void>map(id -> {
      webDeployment = id;
      serving.tryComplete(); // now the whole-collection reads: bindings, profiles, endpoints
      if (scheduledBackups != null) {
        scheduledBackups.start(); // once everything is up: no backup of a store still being set up
      }
      return null;
    }).onFailure(e -> LOG.error("Start-up failed: {}", e.getMessage()));
  }

  /** store.serve-port: other nodes reach the embedded store through it (their mongo.uri). */
  private Future<Void> serveStore() {
    if (!config.store().served()) {
      return Future.succeededFuture();
    }
    return ServedStore.start(vertx, config.store(), config.cluster(), store,
        new SecurityLog(vertx, java.time.Clock.systemUTC())).map(s -> {
          servedStore = s;
          return null;
        });
  }

  private void announceAdminPassword(String password) {
    announce.accept("""

        ==================================================================
         First start: created the web console account 'admin'.
         Password: %s
         It is shown only this once. Change it after logging in, or set
         SWITCHBOARD_ADMIN_PASSWORD before the first start next time.
        ==================================================================
        """.formatted(password));
  }

  private void probeStore() {
    pools.store().submit(store::ping).onComplete(r -> {
      boolean up = r.succeeded() && Boolean.TRUE.equals(r.result());
      if (up != (health.state("store") == Health.State.UP)) {
        LOG.warn("Store is {}", up ? "back" : "unreachable");
      }
      health.report("store", up ? Health.State.UP : Health.State.DOWN, new JsonObject()
          .put("kind", store.embedded() ? "embedded" : "mongodb"));
    });
  }

  /** Stops in reverse order; safe to call after a failed start. */
  public Future<Void> stop() {
    metrics.stop();
    if (storeProbe >= 0) {
      vertx.cancelTimer(storeProbe);
    }
    if (certificateWatcher != null) {
      certificateWatcher.stop();
    }
    Future<Void> webStopped = webDeployment == null ? Future.succeededFuture() : vertx.undeploy(webDeployment);
    return webStopped
        .eventually(() -> logLevels.map(LogLevels::unregister).orElse(Future.succeededFuture()))
        .eventually(() -> provisioning == null ? Future.succeededFuture() : provisioning.stop())
        .eventually(() -> telephony == null ? Future.succeededFuture() : telephony.stop())
        .eventually(() -> presence == null ? Future.succeededFuture() : presence.stop())
        .eventually(() -> im == null ? Future.succeededFuture() : im.stop())
        .eventually(() -> sip == null ? Future.succeededFuture() : sip.stop())
        .eventually(() -> users == null ? Future.succeededFuture() : users.close())
        .eventually(() -> devices == null ? Future.succeededFuture() : devices.close())
        .eventually(() -> scheduledBackups == null ? Future.succeededFuture() : scheduledBackups.stop())
        .eventually(() -> servedStore == null ? Future.succeededFuture() : servedStore.stop())
        .eventually(() -> vertx.executeBlocking(() -> {
          if (store != null) {
            store.close();
          }
          return null;
        })).eventually(pools::close);
  }

  private String sipTls() {
    return tls.isPresent() ? " and tls " + config.sip().bindAddress() + ":" + config.tls().sipPort() : "";
  }

  /** The start-up banner's parts, for the JSON log: sip, web, phones, store. */
  public java.util.Map<String, String> listenerFields() {
    java.util.Map<String, String> out = new java.util.LinkedHashMap<>();
    out.put("sip", "udp+tcp " + config.sip().bindAddress() + ":" + config.sip().port() + sipTls());
    out.put("domain", config.sip().domain());
    out.put("web", web.url() + "/");
    out.put("phones", provisioning.url() + "/provision/");
    out.put("store", store.embedded() ? "embedded in " + config.store().dataDir().toAbsolutePath() : "MongoDB (mongo.uri)");
    cluster.ifPresent(c -> out.put("cluster", c.describe()));
    return out;
  }

  /** Where the listeners are, for the start-up banner. */
  public String listeners() {
    return "SIP udp+tcp " + config.sip().bindAddress() + ":" + config.sip().port() + sipTls() + " (domain " + config.sip().domain()
        + "), web " + web.url() + "/, phones " + provisioning.url() + "/provision/, store "
        + (store.embedded() ? "embedded in " + config.store().dataDir().toAbsolutePath() : "MongoDB (mongo.uri)")
        + cluster.map(c -> ", cluster " + c.describe()).orElse("");
  }

}
