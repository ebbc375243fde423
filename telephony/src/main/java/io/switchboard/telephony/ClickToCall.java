package io.switchboard.telephony;

import io.switchboard.api.BusCalls;
import io.switchboard.api.BusFailure;
import io.switchboard.api.telephony.CallProgress;
import io.switchboard.api.telephony.Originate;
import io.switchboard.api.telephony.OriginateQueued;
import io.vertx.core.Promise;
import io.switchboard.api.EventAddresses;
import io.switchboard.core.config.SwitchboardConfig;
import io.switchboard.core.device.DevicesInUse;
import io.switchboard.core.metrics.Metrics;
import io.switchboard.core.model.Device;
import io.switchboard.core.model.User;
import io.switchboard.core.store.DeviceStore;
import io.switchboard.core.store.UserStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import org.asteriskjava.manager.action.OriginateAction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Click-to-call: Asterisk rings the user's own phone and, once it is answered, dials the target in
 * the configured context (AMI Originate, async). The phone is the one the user chose, else the device
 * in use among their provisioned phones ({@link DevicesInUse}: the mobile when they were active only
 * there within {@code presence.active-window}, else the desk phone), else their first provisioned desk
 * phone, else their first other SIP device, else {@code PJSIP/<extension>}
 * (endpoints an operator configured by hand); where its vendor supports it, the phone is asked to
 * answer by itself ({@link AutoAnswer}). The request is answered when Asterisk queued it; the outcome
 * follows on {@link EventAddresses#CALL_PROGRESS}, and the call itself shows in call state like any
 * other. Runs on the telephony verticle's context.
 */
final class ClickToCall {

  private static final Logger LOG = LoggerFactory.getLogger(ClickToCall.class);
  /** A number Asterisk may dial: digits, with the keypad's * and # and a leading +. */
  private static final Pattern NUMBER = Pattern.compile("\\+?[0-9*#]{2,32}");

  private record Pending(String user, String to) {
  }

  private final Vertx vertx;
  private final SwitchboardConfig.Ami config;
  private final UserStore users;
  private final DeviceStore devices;
  private final AmiLink link;
  private final Map<String, Pending> pending = new HashMap<>();

  private final Metrics metrics;
  private final DevicesInUse inUse;

  ClickToCall(Vertx vertx, SwitchboardConfig.Ami config, UserStore users, DeviceStore devices, AmiLink link,
      Metrics metrics, DevicesInUse inUse) {
    this.metrics = metrics;
    this.inUse = inUse;
    this.vertx = vertx;
    this.config = config;
    this.users = users;
    this.devices = devices;
    this.link = link;
  }

  Future<Void> start() {
    return vertx.eventBus().<JsonObject>consumer(EventAddresses.CALL_ORIGINATE,
        BusCalls.answer(Originate::fromJson, this::originate, e -> BusFailure.internal())).completion();
  }

  private Future<OriginateQueued> originate(Originate request) {
    Promise<OriginateQueued> answer = Promise.promise();
    originate(request, answer);
    return answer.future();
  }

  private void originate(Originate request, Promise<OriginateQueued> msg) {
    String user = request.caller().username();
    String to = request.to() == null ? "" : request.to().trim();
    String chosen = request.device();
    if (!config.configured()) {
      msg.fail(BusFailure.unavailable("no Asterisk is configured (ami.host)"));
      return;
    }
    if (!link.connected()) {
      metrics.clickToCall("refused");
      msg.fail(BusFailure.unavailable("the link to Asterisk is down; try again shortly"));
      return;
    }
    Future.all(users.find(user), users.findByUsernameOrExtension(to), devices.listByUser(user)).onComplete(r -> {
      if (r.failed()) {
        msg.fail(BusFailure.unavailable("the store is unavailable"));
        return;
      }
      Optional<User> caller = r.result().resultAt(0);
      Optional<User> callee = r.result().resultAt(1);
      List<Device> phones = r.result().<List<Device>>resultAt(2).stream()
          .filter(d -> d.kind().sipPhone() && d.endpoint() != null).toList();
      Optional<Device> phone = chosen == null ? phoneToRing(inUse, user, phones)
          : phones.stream().filter(d -> d.id().equals(chosen)).findFirst();
      if (chosen != null && phone.isEmpty()) {
        msg.fail(BusFailure.notFound("device", "not one of your phones: " + chosen));
        return;
      }
      String endpoint = phone.map(Device::endpoint).orElse(caller.map(User::extension).orElse(null));
      if (endpoint == null) {
        msg.fail(BusFailure.conflict("user", "you have no phone (no device, no extension) to call from"));
        return;
      }
      String target = callee.map(User::extension).orElse(NUMBER.matcher(to).matches() ? to : null);
      if (target == null) {
        msg.fail(BusFailure.notFound("to", "no user with a phone, nor a number: " + to));
        return;
      }
      String id = UUID.randomUUID().toString();
      OriginateAction action = new OriginateAction();
      action.setChannel("PJSIP/" + endpoint);
      Map<String, String> autoAnswer = config.autoAnswer()
          ? AutoAnswer.variables(phone.map(Device::vendor).orElse(null), config.host().orElseThrow()) : Map.of();
      if (!autoAnswer.isEmpty()) {
        action.setVariables(autoAnswer);
      }
      action.setContext(config.originateContext());
      action.setExten(target);
      action.setPriority(1);
      action.setAsync(true);
      action.setTimeout((long) config.originateTimeoutSeconds() * 1000);
      action.setCallerId(callee.map(u -> "\"" + u.displayName() + "\" <" + target + ">").orElse(target));
      action.setActionId(id);
      pending.put(id, new Pending(user, target));
      link.originate(action).onComplete(sent -> {
        if (sent.failed()) {
          pending.remove(id);
          metrics.clickToCall("refused");
          LOG.info("Click-to-call refused [user: {}, to: {}]: {}", user, target, sent.cause().getMessage());
          msg.fail(BusFailure.unavailable(sent.cause().getMessage()));
        } else {
          LOG.info("Click-to-call queued [id: {}, user: {}, from: {}, to: {}, auto-answer: {}, chosen: {}]", id, user,
              endpoint, target, !autoAnswer.isEmpty(), chosen != null);
          msg.complete(new OriginateQueued(id, endpoint, target, !autoAnswer.isEmpty(), "queued"));
        }
      });
    });
  }

  /**
   * The phone to ring for a user who chose none (click-to-call, a room's conference call): the device in
   * use among their phones, else the primary one.
   */
  static Optional<Device> phoneToRing(DevicesInUse inUse, String user, List<Device> phones) {
    Map<String, Device.Kind> candidates = new java.util.LinkedHashMap<>();
    phones.forEach(d -> candidates.put(d.id(), d.kind()));
    return inUse.inUse(user, candidates, java.time.Instant.now())
        .flatMap(id -> phones.stream().filter(d -> d.id().equals(id)).findFirst())
        .or(() -> primary(phones));
  }

  /** The phone a click rings when the user chose none: a desk phone first, else any of their SIP devices. */
  static Optional<Device> primary(List<Device> phones) {
    return phones.stream().filter(d -> d.kind() == Device.Kind.DESK_PHONE).findFirst()
        .or(() -> phones.stream().findFirst());
  }

  /** Asterisk says whether the user's phone answered. */
  void answered(AmiEvent.OriginateResponse event) {
    Pending p = pending.remove(event.actionId());
    if (p == null) {
      return; // someone else's Originate
    }
    Integer reason = event.reason();
    String outcome = "Success".equalsIgnoreCase(event.response()) ? "answered"
        : reason != null && reason == 3 ? "no-answer"
        : reason != null && reason == 5 ? "busy"
        : "failed";
    LOG.info("Click-to-call {} [id: {}, user: {}, to: {}]", outcome, event.actionId(), p.user(), p.to());
    metrics.clickToCall(outcome);
    vertx.eventBus().publish(EventAddresses.CALL_PROGRESS,
        new CallProgress(event.actionId(), p.user(), p.to(), outcome, reason).toJson());
  }
}
