package io.switchboard.im;

import io.switchboard.api.EventAddresses;
import io.switchboard.api.presence.DeviceUsed;
import io.switchboard.core.config.SwitchboardConfig;
import io.switchboard.core.device.DeviceUses;
import io.switchboard.core.device.DevicesInUse;
import io.switchboard.core.sip.RetransmissionGuard;
import io.switchboard.core.sip.SipAffinity;
import io.switchboard.core.sip.SipService;
import io.switchboard.core.store.DeviceStore;
import io.switchboard.core.store.GridFsFileStore;
import io.switchboard.core.store.MongoStore;
import io.switchboard.core.store.UserStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import javax.sip.header.ContactHeader;
import javax.sip.message.Request;

/**
 * Instant messaging assembled: MESSAGE handler on the SIP edge, store-and-forward on registration,
 * requests for the web console on the event bus. Construct before the SIP service starts (the
 * handler must be in place), {@link #start()} after.
 */
public final class ImService {

  private final Vertx vertx;
  private final SipService sip;
  private final MongoMessageStore store;
  private final MongoRoomStore rooms;
  private final StoredDelivery stored;
  private final ImBusApi api;
  private final MissedMessageMailer mailer;
  private final EmailSettingsBusApi emailSettings;
  private final MongoBroadcastStore broadcastStore;
  private final BroadcastBusApi broadcasts;
  /** The last use of each device (every node's DEVICE_USED): a fork tries the device in use first. */
  private final DevicesInUse inUse;
  private MessageConsumer<JsonObject> deviceUsed;
  private final FileMessages fileMessages;

  /** @param devices provisioned devices, for their IM profiles: give a caching one */
  public ImService(Vertx vertx, SwitchboardConfig config, UserStore users, DeviceStore devices, SipService sip,
      MongoStore mongo) {
    this(vertx, config, users, devices, sip, mongo, Clock.systemUTC());
  }

  /** @param clock for message times, expiry and broadcasts' expiry (tests move it) */
  ImService(Vertx vertx, SwitchboardConfig config, UserStore users, DeviceStore devices, SipService sip,
      MongoStore mongo, Clock clock) {
    this.vertx = vertx;
    this.sip = sip;
    this.store = new MongoMessageStore(vertx, mongo);
    this.rooms = new MongoRoomStore(vertx, mongo);
    DeviceDelivery delivery = new DeviceDelivery(sip.edge(), config.sip().domain(), new DeviceProfiles(devices));
    Receipts receipts = new Receipts(vertx, users, store, sip.location(), delivery, config.sip().domain(), clock);
    this.inUse = new DevicesInUse(Duration.ofSeconds(config.presence().activeWindowSeconds()));
    MessageRouter router = new MessageRouter(vertx, users, rooms, config.sip().domain(), sip.location(), store,
        delivery, clock, config.im().forkTimeoutSeconds(), sip.metrics(), receipts, inUse);
    DeviceUses uses = new DeviceUses(vertx, devices, clock);
    this.broadcastStore = new MongoBroadcastStore(vertx, mongo);
    BroadcastSender broadcastSender = new BroadcastSender(vertx, broadcastStore, store, router, clock,
        config.broadcast().displayName());
    this.broadcasts = new BroadcastBusApi(vertx, users, rooms, broadcastStore, broadcastSender, clock,
        config.im().maxMessageSize());
    this.stored = new StoredDelivery(vertx, sip.location(), store, delivery, router, clock,
        Duration.ofHours(config.im().storeMaxAgeHours()), broadcastSender::due);
    this.api = new ImBusApi(vertx, users, rooms, router, store, config.im().maxMessageSize(), receipts);
    MongoEmailSettings settings = new MongoEmailSettings(vertx, mongo);
    this.mailer = new MissedMessageMailer(vertx, config.email(), settings, store, sip.location(), clock);
    this.emailSettings = new EmailSettingsBusApi(vertx, settings);
    this.fileMessages = new FileMessages(vertx, users, rooms, router, store, new GridFsFileStore(vertx, mongo),
        config.email().consoleUrl(), clock, Duration.ofHours(config.im().fileMaxAgeHours()),
        Duration.ofHours(config.im().storeMaxAgeHours()));
    // MESSAGEs spread by conversation (sender and recipient, a user or a room): one sender's messages to one
    // recipient stay in order on one event loop, many senders to one recipient use every loop. Over UDP
    // without a server transaction, retransmissions answered by the guard (32 s of a transaction per
    // MESSAGE would fill the stack's table at a few hundred a second).
    sip.edge().handleWithoutTransaction(Request.MESSAGE, new RetransmissionGuard(
        new MessageHandler(config.im(), sip.authenticator(), router, sip.edge().factories(), receipts, (req, user) -> {
          ContactHeader contact = (ContactHeader) req.request().getHeader(ContactHeader.NAME);
          uses.usedFrom(sip.location().bindings(user), req.sourceHost() + ":" + req.sourcePort(),
              contact == null ? null : contact.getAddress().getURI().toString(), "message");
        }), clock), SipAffinity.CONVERSATION);
  }

  /** Blocking: the message indexes. Call inside executeBlocking before {@link #start()}. */
  public void createIndexes() {
    store.createIndexes();
    rooms.createIndexes();
    broadcastStore.createIndexes();
  }

  /** Stops listening on the bus (the SIP service, stopped after, ends the MESSAGE handling). */
  public Future<Void> stop() {
    Future<Void> unlisten = deviceUsed == null ? Future.succeededFuture() : deviceUsed.unregister();
    return unlisten.eventually(stored::stop).eventually(api::stop).eventually(broadcasts::stop).eventually(mailer::stop)
        .eventually(emailSettings::stop).eventually(fileMessages::stop);
  }

  /** Starts on the home SIP context: stored delivery and the console's requests run there. */
  public Future<Void> start() {
    return Future.future(p -> sip.edge().sipContext().runOnContext(v ->
        listenForDeviceUses().compose(x -> stored.start()).compose(x -> api.start()).compose(x -> broadcasts.start())
            .compose(x -> emailSettings.start()).compose(x -> mailer.start()).compose(x -> fileMessages.start())
            .onComplete(p)));
  }

  /** Files sent in chats (tests run its sweep). */
  FileMessages fileMessages() {
    return fileMessages;
  }

  private Future<Void> listenForDeviceUses() {
    deviceUsed = vertx.eventBus().consumer(EventAddresses.DEVICE_USED,
        m -> inUse.used(DeviceUsed.fromJson(m.body())));
    return deviceUsed.completion();
  }

  /** Store-and-forward (tests run its expiry). */
  StoredDelivery storedDelivery() {
    return stored;
  }

  /** E-mail for missed messages (tests follow its decisions). */
  MissedMessageMailer mailer() {
    return mailer;
  }
}
