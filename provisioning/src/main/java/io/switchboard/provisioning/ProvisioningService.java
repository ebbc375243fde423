package io.switchboard.provisioning;

import io.switchboard.core.account.UserAccounts;
import io.switchboard.api.EventAddresses;
import io.switchboard.api.UserEvent;
import io.switchboard.core.config.SwitchboardConfig;
import io.switchboard.core.health.Health;
import io.switchboard.core.sip.SipService;
import io.switchboard.core.store.DeviceStore;
import io.switchboard.core.store.UserStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Provisioning assembled: devices over the bus ({@link EventAddresses#DEVICES}), the CSV import
 * ({@link EventAddresses#IMPORT}), check-sync NOTIFYs after changes ({@link CheckSync}), the phones' HTTP
 * server, and the reactions to user changes (a deleted user's devices go). Health component
 * {@code provisioning}.
 *
 * <p>Start after the store and the SIP edge; the templates are read once, at start.
 */
public final class ProvisioningService {

  private static final Logger LOG = LoggerFactory.getLogger(ProvisioningService.class);

  private final Vertx vertx;
  private final SwitchboardConfig config;
  private final Health health;
  private final UserStore users;
  private final DeviceStore devices;
  private final String sipHost;
  private final DeviceService deviceService;
  private final Importer importer;
  private final CheckSync checkSync;
  private final PjsipWriter pjsip;
  private final ProvisioningUrls urls;
  private final TrustedCertificate certificate;
  private ProvisioningServer server;
  private String deployment;
  private final io.switchboard.api.BusConsumers consumers;

  /** @param sip the started SIP edge: phones are given its advertised host, check-sync goes out through it */
  public ProvisioningService(Vertx vertx, SwitchboardConfig config, Health health, UserAccounts accounts,
      DeviceStore devices, SipService sip) {
    this.vertx = vertx;
    this.consumers = new io.switchboard.api.BusConsumers(vertx);
    this.config = config;
    this.health = health;
    this.users = accounts.store();
    this.devices = devices;
    this.sipHost = sip.edge().advertisedHost();
    this.checkSync = new CheckSync(vertx, sip.edge(), sip.location(), devices, config.sip().domain());
    SwitchboardConfig.Provisioning p = config.provisioning();
    // With TLS on, phones fetch their files over HTTPS (the provisioning port speaks nothing else).
    String scheme = config.tls().enabled() ? "https" : "http";
    this.urls = new ProvisioningUrls(p.baseUrl().orElse(scheme + "://" + sipHost + ":" + p.port()),
        p.auth().equals("digest"));
    this.deviceService = new DeviceService(vertx, devices, users, urls);
    this.pjsip = new PjsipWriter(vertx, devices, users, p.pjsipFile(), p.asteriskContext(), p.voicemailNumber());
    this.importer = new Importer(vertx, accounts, deviceService, devices, pjsip);
    this.certificate = new TrustedCertificate(config.tls().cert());
  }

  /** What the PJSIP file's first writing (every device and user read) waits for. */
  private Future<Void> loadAfter = Future.succeededFuture();

  /**
   * Holds the first writing of the PJSIP file back until {@code gate} completes (the server: until
   * it serves and has loaded what SIP needs). Before {@link #start()}.
   */
  public void loadAfter(Future<Void> gate) {
    this.loadAfter = gate;
  }

  public Future<Void> start() {
    SwitchboardConfig.Provisioning p = config.provisioning();
    health.report("provisioning", Health.State.STARTING);
    String asteriskHost = p.asteriskSipHost().or(() -> config.ami().host()).orElse(sipHost);
    // With TLS on, the phones' Switchboard account uses SIP over TLS; Asterisk's stays as it is.
    boolean tls = config.tls().enabled();
    int phonePort = tls ? config.tls().sipPort() : config.sip().port();
    PhoneModel.Servers servers = new PhoneModel.Servers(config.sip().domain(), asteriskHost, p.asteriskSipPort(),
        sipHost, phonePort, p.voicemailNumber(), tls, tls ? urls.certificate() : "", "")
        .withBackups(BackupServers.forNode(p.backupServers(), sipHost, phonePort), p.failoverRegisterInterval());
    if (!servers.backups().isEmpty()) {
      LOG.info("Phones get backup servers for their Switchboard account [servers: {}, register interval: {} s]",
          servers.backups(), servers.registerInterval());
    } else if (!p.backupServers().isEmpty()) {
      LOG.warn("provisioning.backup-servers lists only this node: phones get no backup server [node: {}:{}]",
          sipHost, phonePort);
    }
    return consumers.<JsonObject>consumer(EventAddresses.USER_CHANGED, m -> userChanged(UserEvent.fromJson(m.body())))
        .compose(v -> consumers.<JsonObject>consumer(EventAddresses.DEVICE_CHANGED, m -> pjsip.changed()))
        // This node took the AMI link over from another: the file and the reload are its job now.
        .compose(v -> consumers.<JsonObject>consumer(EventAddresses.AMI_HOLDER, m -> pjsip.changed()))
        .compose(v -> vertx.executeBlocking(() -> new PhoneTemplates(p.templateDir())))
        .compose(templates -> {
          server = new ProvisioningServer(p, config.tls(), health, devices,
              new PhoneFiles(vertx, users, templates, servers, certificate, config.presence()::listUser), Clock.systemUTC());
          return deviceService.start().compose(v -> importer.start()).compose(v -> checkSync.start())
              .compose(v -> certificate.start(vertx)).compose(v -> vertx.deployVerticle(server))
              .onSuccess(id -> {
                // Not awaited: with 100,000 devices reading and rendering them all took most of the
                // start-up (it logs its own outcome); AMI reloads Asterisk once it is written. Nor
                // begun before loadAfter: with start-up's own store calls it slowed them all down.
                io.vertx.core.Context context = vertx.getOrCreateContext();
                loadAfter.onComplete(x -> context.runOnContext(y -> pjsip.changed()));
              });
        })
        .onSuccess(id -> deployment = id)
        .onFailure(e -> health.report("provisioning", Health.State.DOWN, new JsonObject().put("reason", e.getMessage())))
        .mapEmpty();
  }

  public Future<Void> stop() {
    return consumers.unregisterAll().eventually(deviceService::stop).eventually(importer::stop)
        .eventually(checkSync::stop)
        .eventually(() -> deployment == null ? Future.succeededFuture() : vertx.undeploy(deployment))
        .eventually(certificate::stop);
  }

  /** The port phones fetch from (differs from the configured one when that is 0). */
  public int port() {
    return server.actualPort();
  }

  /** Where the provisioning server listens, with its scheme: {@code https://0.0.0.0:8081}. */
  public String url() {
    return server.url();
  }

  private void userChanged(UserEvent e) {
    pjsip.changed(); // a disabled user's endpoints go, a re-enabled one's come back
    if (e.change() == UserEvent.Change.DELETED) {
      deviceService.deleteAllOf(e.username()).onFailure(x -> LOG.warn(
          "Devices of a deleted user not deleted [user: {}, reason: {}]", e.username(), x.getMessage()));
    }
  }
}
