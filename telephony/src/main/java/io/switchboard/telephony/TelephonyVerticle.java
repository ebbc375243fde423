package io.switchboard.telephony;

import io.switchboard.api.CallStateEvent;
import io.switchboard.api.EventAddresses;
import io.switchboard.core.config.SwitchboardConfig;
import io.switchboard.core.device.DeviceUses;
import io.switchboard.core.device.DevicesInUse;
import io.switchboard.core.health.Health;
import io.switchboard.core.metrics.Metrics;
import io.switchboard.core.store.DeviceStore;
import io.switchboard.core.store.UserStore;
import io.switchboard.telephony.CallStates.DeviceView;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Call state from AMI to the event bus. Owns the {@link AmiLink}, the {@link CallStates} and the
 * mapping of devices to users; everything runs on this verticle's context.
 *
 * <p>Publishing: a device {@code PJSIP/1002} belongs to the user whose extension (or username) is
 * {@code 1002}. A user's state is the busiest of their devices ({@link CallStates#rank}); a
 * {@link CallStateEvent} goes out only when that state or its peer really changes. Look-ups are
 * chained per device, so a device's changes are published in the order Asterisk reported them.
 *
 * <p>Resync: after every login, every {@link AmiTiming#resyncInterval()}, and when Asterisk's device
 * state has contradicted our channels for {@link AmiTiming#crossCheckDelay()}, call state is rebuilt
 * from {@code CoreShowChannels} and only the differences are published: a call that ended while the
 * link was down leaves nobody "on the phone". While the link is down, the last known state stands.
 */
final class TelephonyVerticle extends VerticleBase implements AmiLink.Listener {

  private static final Logger LOG = LoggerFactory.getLogger(TelephonyVerticle.class);

  private final SwitchboardConfig.Ami config;
  private final Health health;
  private final UserStore users;
  private final DeviceStore devices;
  private EndpointOwners owners;
  private final AmiTiming timing;
  private final CallStates states = new CallStates();
  private volatile AmiLink link;
  private ClickToCall clickToCall;
  private Conferences conferences;
  private Voicemail voicemail;

  /** Tail of the look-up chain per device. */
  private final Map<String, Future<Void>> lookups = new HashMap<>();
  /** Each user's devices that are not idle, as last resolved. */
  private final Map<String, Map<String, DeviceView>> devicesOfUser = new HashMap<>();
  private final Map<String, CallStateEvent> published = new HashMap<>();

  private int sessions;
  private Future<Void> resyncInFlight;
  private long crossCheckTimer = -1;
  private long resyncTimer = -1;

  private final Metrics metrics;
  private DeviceUses uses;
  /** The devices in use (from every node's DEVICE_USED), for click-to-call. */
  private DevicesInUse inUse = new DevicesInUse(Duration.ofSeconds(600));

  TelephonyVerticle(SwitchboardConfig.Ami config, Health health, UserStore users, DeviceStore devices, AmiTiming timing,
      Metrics metrics) {
    this.metrics = metrics;
    if (config.configured()) {
      metrics.amiConnected(() -> link != null && link.connected());
    }
    this.config = config;
    this.health = health;
    this.users = users;
    this.devices = devices;
    this.timing = timing;
  }

  /** What the background reads of endpoints and users wait for (see {@link TelephonyService#loadAfter}). */
  private Future<Void> loadAfter = Future.succeededFuture();

  void loadAfter(Future<Void> gate) {
    this.loadAfter = gate;
  }

  /** {@code presence.active-window}: how recent a use counts for the device in use. Before start. */
  void activeWindow(Duration window) {
    this.inUse = new DevicesInUse(window);
  }

  @Override
  public Future<?> start() {
    link = new AmiLink(vertx, context, config, health, timing, this, metrics);
    owners = new EndpointOwners(vertx, users, devices, loadAfter);
    uses = new DeviceUses(vertx, devices, java.time.Clock.systemUTC());
    vertx.eventBus().<io.vertx.core.json.JsonObject>consumer(EventAddresses.DEVICE_USED,
        m -> inUse.used(io.switchboard.api.presence.DeviceUsed.fromJson(m.body())));
    clickToCall = new ClickToCall(vertx, config, users, devices, link, metrics, inUse);
    conferences = new Conferences(vertx, config, users, devices, link, owners, inUse,
        user -> published.getOrDefault(user, new CallStateEvent(user, CallStateEvent.State.IDLE, null)).state());
    voicemail = new Voicemail(vertx, owners);
    if (config.configured()) {
      resyncTimer = vertx.setPeriodic(timing.resyncInterval().toMillis(), t -> {
        if (link.connected()) {
          resync();
        }
      });
    }
    // Click-to-call and reloads need the link: served by the node holding it (see holding()).
    // Without Asterisk there is no lock to take: every node answers them (503, none configured).
    return owners.start().compose(v -> config.configured() ? link.start() : holding().compose(x -> link.start()));
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(resyncTimer);
    vertx.cancelTimer(crossCheckTimer);
    return link.stop();
  }

  AmiLink link() {
    return link;
  }

  EndpointOwners owners() {
    return owners;
  }

  /** This verticle's context, once deployed. */
  io.vertx.core.Context runContext() {
    return context;
  }

  /**
   * Rebuilds call state from Asterisk's channel list and publishes the differences. While one is in
   * flight for this session, returns that one.
   */
  Future<Void> resync() {
    if (resyncInFlight != null) {
      return resyncInFlight;
    }
    int session = sessions;
    states.resyncStarted();
    Future<Void> f = link.coreShowChannels().map(listed -> {
      if (session == sessions) {
        List<DeviceView> changed = states.resynced(listed);
        LOG.info("AMI resync [channels: {}, devices changed: {}]", listed.size(), changed.size());
        changed.forEach(this::deviceChanged);
      }
      return (Void) null;
    }).onFailure(e -> {
      if (session == sessions) {
        states.resyncAbandoned();
      }
      LOG.warn("AMI resync failed [reason: {}]", e.getMessage());
    });
    resyncInFlight = f;
    f.onComplete(ar -> {
      if (resyncInFlight == f) {
        resyncInFlight = null;
      }
    });
    return f;
  }

  // ---- AmiLink.Listener, on this context -----------------------------------------------------------

  /**
   * This node holds the AMI link (in a cluster, the one node that does): the requests that need it
   * are consumed here only, so that another node's console or provisioning reaches the link.
   */
  @Override
  public Future<Void> holding() {
    return clickToCall.start().compose(v -> new AmiReload(vertx, link).start()).compose(v -> conferences.start())
        .compose(v -> voicemail.start());
  }

  @Override
  public void connected() {
    sessions++;
    // A list asked for on the previous session will never come: do not wait for it.
    resyncInFlight = null;
    resync();
  }

  @Override
  public void event(AmiEvent event) {
    if (event instanceof AmiEvent.OriginateResponse o) {
      clickToCall.answered(o);
      return;
    }
    if (event instanceof AmiEvent.Confbridge c) {
      conferences.event(c);
      return;
    }
    if (event instanceof AmiEvent.MessageWaiting m) {
      voicemail.event(m);
      return;
    }
    states.apply(event).forEach(this::deviceChanged);
    if (event instanceof AmiEvent.DeviceStateChange && crossCheckTimer == -1 && !states.disagreements().isEmpty()) {
      crossCheckTimer = vertx.setTimer(timing.crossCheckDelay().toMillis(), t -> {
        crossCheckTimer = -1;
        if (!states.disagreements().isEmpty() && link.connected()) {
          LOG.info("AMI device state disagrees with channels, resyncing [devices: {}]", states.disagreements());
          resync();
        }
      });
    }
  }

  @Override
  public void disconnected(String reason) {
    if (crossCheckTimer != -1) {
      vertx.cancelTimer(crossCheckTimer);
      crossCheckTimer = -1;
    }
  }

  // ---- publishing ---------------------------------------------------------------------------------

  private void deviceChanged(DeviceView view) {
    String device = view.device();
    String userPart = device.substring(device.indexOf('/') + 1);
    Future<Void> next = lookups.getOrDefault(device, Future.succeededFuture())
        .transform(x -> owners.owner(userPart))
        .transform(found -> {
          if (found.failed()) {
            LOG.warn("Call state not published: user look-up failed [device: {}, state: {}, reason: {}]", device,
                view.state(), found.cause().getMessage());
          } else if (found.result().isEmpty()) {
            LOG.debug("Call state of a device without a user [device: {}, state: {}]", device, view.state());
          } else {
            userDeviceChanged(found.result().get(), view);
          }
          return Future.<Void>succeededFuture();
        });
    lookups.put(device, next);
    next.onComplete(x -> lookups.remove(device, next));
  }

  private void userDeviceChanged(String username, DeviceView view) {
    Map<String, DeviceView> devices = devicesOfUser.computeIfAbsent(username, u -> new LinkedHashMap<>());
    reportUse(username, view, devices.get(view.device()));
    if (view.state() == CallStateEvent.State.IDLE) {
      devices.remove(view.device());
    } else {
      devices.put(view.device(), view);
    }
    DeviceView busiest = null;
    for (DeviceView d : devices.values()) {
      if (busiest == null || CallStates.rank(d.state()) > CallStates.rank(busiest.state())) {
        busiest = d;
      }
    }
    if (devices.isEmpty()) {
      devicesOfUser.remove(username);
    }
    CallStateEvent event = busiest == null ? new CallStateEvent(username, CallStateEvent.State.IDLE, null)
        : new CallStateEvent(username, busiest.state(), busiest.peer());
    CallStateEvent before = published.getOrDefault(username, new CallStateEvent(username, CallStateEvent.State.IDLE, null));
    if (event.equals(before)) {
      return;
    }
    if (event.state() == CallStateEvent.State.IDLE) {
      published.remove(username);
    } else {
      published.put(username, event);
    }
    LOG.debug("Call state [user: {}, state: {}, peer: {}, device: {}]", username, event.state(), event.peer(),
        view.device());
    vertx.eventBus().publish(EventAddresses.CALL_STATE, event.toJson());
  }

  /** A call placed (dialling) or answered (in a call) on a device is a use of it: the device in use. */
  private void reportUse(String username, DeviceView view, DeviceView before) {
    boolean placed = view.state() == CallStateEvent.State.DIALING;
    boolean answered = view.state() == CallStateEvent.State.IN_CALL;
    if ((placed || answered) && (before == null || before.state() != view.state())) {
      String endpoint = view.device().substring(view.device().indexOf('/') + 1);
      EndpointOwners.ProvisionedDevice d = owners.deviceOf(endpoint);
      uses.used(username, d.id(), d.kind(), "call");
    }
  }
}
