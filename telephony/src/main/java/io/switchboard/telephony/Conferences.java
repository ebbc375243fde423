package io.switchboard.telephony;

import io.switchboard.api.BusCalls;
import io.switchboard.api.BusFailure;
import io.switchboard.api.CallStateEvent;
import io.switchboard.api.EventAddresses;
import io.switchboard.api.ImSend;
import io.switchboard.api.telephony.ConferenceQuery;
import io.switchboard.api.telephony.ConferenceStart;
import io.switchboard.api.telephony.ConferenceStarted;
import io.switchboard.api.telephony.ConferenceState;
import io.switchboard.core.config.SwitchboardConfig;
import io.switchboard.core.model.Device;
import io.switchboard.core.model.User;
import io.switchboard.core.store.DeviceStore;
import io.switchboard.core.store.UserStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import org.asteriskjava.manager.action.OriginateAction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A conference call from a chat room, and who is in it. Starting one originates every available
 * member's primary phone (chosen as for click-to-call, with its vendor's auto-answer header) into
 * {@code ami.conference-extension} in {@code ami.conference-context}; members on the phone already,
 * or without a phone, are asked in the room instead (a message from the caller naming the number).
 * The Originate carries the channel variable {@code SWITCHBOARD_ROOM}, so a dialplan may name the
 * bridge after the room.
 *
 * <p>Who is in it comes from Asterisk only: {@code ConfbridgeJoin}/{@code ConfbridgeLeave} (the
 * channel's endpoint mapped to its user through {@link EndpointOwners}) and {@code ConfbridgeEnd}.
 * Asterisk's conference is tied to a room by its name (when the dialplan names it after the room), or
 * else by the first joiner whose phone this room rang; from then on everyone who joins that conference,
 * by hand too, is in the room's. Every change is published as a {@link ConferenceState}. State lives
 * here, on the node holding the AMI link, on the telephony context.
 */
final class Conferences {

  private static final Logger LOG = LoggerFactory.getLogger(Conferences.class);
  /** The channel variable naming the room, for a dialplan that names its bridges after rooms. */
  static final String ROOM_VARIABLE = "SWITCHBOARD_ROOM";

  /** A room's conference: its audience (the room's members), and who is in it by channel. */
  private static final class Room {
    List<String> audience = List.of();
    /** Asterisk's name for it, once someone joined. */
    String conference;
    final Map<String, String> userOfChannel = new LinkedHashMap<>();

    List<String> members() {
      return List.copyOf(new LinkedHashSet<>(userOfChannel.values()));
    }
  }

  private final Vertx vertx;
  private final SwitchboardConfig.Ami config;
  private final UserStore users;
  private final DeviceStore devices;
  private final AmiLink link;
  private final EndpointOwners owners;
  private final Function<String, CallStateEvent.State> callState;
  private final Map<String, Room> rooms = new HashMap<>();
  private final Map<String, String> roomOfConference = new HashMap<>();
  private final io.switchboard.core.device.DevicesInUse inUse;
  /** Endpoints rung for a room and not joined yet. */
  private final Map<String, String> roomOfEndpoint = new HashMap<>();
  /** Confbridge events are applied one after the other, owner look-ups included. */
  private Future<Void> tail = Future.succeededFuture();

  /**
   * @param inUse the last use of each device: a member is rung on the device in use
   * @param callState a user's call state as telephony last published it
   */
  Conferences(Vertx vertx, SwitchboardConfig.Ami config, UserStore users, DeviceStore devices, AmiLink link,
      EndpointOwners owners, io.switchboard.core.device.DevicesInUse inUse,
      Function<String, CallStateEvent.State> callState) {
    this.vertx = vertx;
    this.inUse = inUse;
    this.config = config;
    this.users = users;
    this.devices = devices;
    this.link = link;
    this.owners = owners;
    this.callState = callState;
  }

  /** Serves the requests (on the node holding the link). */
  Future<Void> start() {
    var bus = vertx.eventBus();
    return Future.all(
        bus.<JsonObject>consumer(EventAddresses.CONFERENCE_START,
            BusCalls.answer(ConferenceStart::fromJson, this::start, e -> BusFailure.internal())).completion(),
        bus.<JsonObject>consumer(EventAddresses.CONFERENCE_GET,
            BusCalls.answer(ConferenceQuery::fromJson, q -> Future.succeededFuture(state(q.room())),
                e -> BusFailure.internal())).completion()).mapEmpty();
  }

  ConferenceState state(String roomName) {
    Room room = rooms.get(roomName);
    if (room == null) {
      return ConferenceState.none(roomName);
    }
    return new ConferenceState(roomName, !room.userOfChannel.isEmpty(), room.members(), room.audience);
  }

  private Future<ConferenceStarted> start(ConferenceStart request) {
    Optional<String> extension = config.conferenceExtension();
    if (extension.isEmpty()) {
      return Future.failedFuture(BusFailure.conflict("ami.conference-extension",
          "no conference number is configured: set ami.conference-extension"));
    }
    if (!link.connected()) {
      return Future.failedFuture(BusFailure.unavailable("the link to Asterisk is down; try again shortly"));
    }
    String roomName = request.room();
    Room room = rooms.computeIfAbsent(roomName, r -> new Room());
    room.audience = request.members();
    List<String> in = room.members();
    List<String> asked = new ArrayList<>();
    List<String> toRing = new ArrayList<>();
    for (String member : request.members()) {
      if (in.contains(member)) {
        continue; // already there
      }
      if (callState.apply(member) != CallStateEvent.State.IDLE) {
        asked.add(member);
      } else {
        toRing.add(member);
      }
    }
    List<Future<String>> rings = toRing.stream().map(member -> ring(roomName, member, extension.get())).toList();
    return Future.join(rings).transform(x -> {
      List<String> rung = new ArrayList<>();
      for (int i = 0; i < rings.size(); i++) {
        if (rings.get(i).succeeded()) {
          rung.add(toRing.get(i));
        } else {
          LOG.info("Conference member not rung [room: {}, user: {}, reason: {}]", roomName, toRing.get(i),
              rings.get(i).cause().getMessage());
          asked.add(toRing.get(i));
        }
      }
      if (rung.isEmpty() && !link.connected()) {
        return Future.failedFuture(BusFailure.unavailable("the link to Asterisk is down; try again shortly"));
      }
      LOG.info("Conference started [room: {}, by: {}, extension: {}, rung: {}, asked: {}]", roomName,
          request.caller().username(), extension.get(), rung, asked);
      ConferenceStarted started = new ConferenceStarted(roomName, extension.get(), rung, asked);
      return asked.isEmpty() ? Future.succeededFuture(started) : invite(request, extension.get(), asked).map(started);
    });
  }

  /** Originates the member's device in use (else primary phone) into the conference; completes with its endpoint once queued. */
  private Future<String> ring(String roomName, String member, String extension) {
    return Future.all(users.find(member), devices.listByUser(member)).compose(r -> {
      Optional<User> user = r.resultAt(0);
      List<Device> phones = r.result().<List<Device>>resultAt(1).stream()
          .filter(d -> d.kind().sipPhone() && d.endpoint() != null).toList();
      Optional<Device> phone = ClickToCall.phoneToRing(inUse, member, phones);
      String endpoint = phone.map(Device::endpoint).orElse(user.map(User::extension).filter(e -> !e.isBlank()).orElse(null));
      if (endpoint == null) {
        return Future.failedFuture("no phone (no device, no extension)");
      }
      OriginateAction action = new OriginateAction();
      action.setChannel("PJSIP/" + endpoint);
      Map<String, String> variables = new LinkedHashMap<>();
      if (config.autoAnswer()) {
        variables.putAll(AutoAnswer.variables(phone.map(Device::vendor).orElse(null), config.host().orElseThrow()));
      }
      variables.put(ROOM_VARIABLE, roomName);
      action.setVariables(variables);
      action.setContext(config.conferenceContext());
      action.setExten(extension);
      action.setPriority(1);
      action.setAsync(true);
      action.setTimeout((long) config.originateTimeoutSeconds() * 1000);
      action.setCallerId("\"#" + roomName + "\" <" + extension + ">");
      action.setActionId("conference-" + UUID.randomUUID());
      roomOfEndpoint.put(endpoint, roomName);
      return link.originate(action).map(endpoint).onFailure(e -> roomOfEndpoint.remove(endpoint, roomName));
    });
  }

  /** One message in the room, from the caller, for those not rung; completes once IM answered (its failure only logged). */
  private Future<Void> invite(ConferenceStart request, String extension, List<String> asked) {
    return users.find(request.caller().username()).recover(e -> Future.succeededFuture(Optional.empty())).compose(u -> {
      String who = u.map(User::displayName).filter(n -> !n.isBlank()).orElse(request.caller().username());
      String text = who + " started a conference call: dial " + extension + " to join ("
          + String.join(", ", asked) + ": not rung, you seem busy on the phone or have no phone here)";
      return BusCalls.request(vertx.eventBus(), EventAddresses.IM_SEND, new ImSend(request.caller(), "room-" + request.room(), text))
          .<Void>mapEmpty().recover(e -> {
            LOG.info("Conference invitation not sent [room: {}, reason: {}]", request.room(), e.getMessage());
            return Future.succeededFuture();
          });
    });
  }

  // ---- what Asterisk reports ------------------------------------------------------------------------

  void event(AmiEvent.Confbridge event) {
    tail = tail.transform(x -> apply(event).recover(e -> {
      LOG.warn("Conference event not applied [conference: {}, channel: {}, reason: {}]", event.conference(),
          event.channel(), e.getMessage());
      return Future.succeededFuture();
    }));
  }

  private Future<Void> apply(AmiEvent.Confbridge event) {
    String conference = event.conference();
    if (event.kind() == AmiEvent.Confbridge.Kind.END) {
      String roomName = roomOfConference.remove(conference);
      Room room = roomName == null ? null : rooms.remove(roomName);
      if (room != null) {
        roomOfEndpoint.values().removeIf(roomName::equals);
        LOG.info("Conference ended [room: {}, conference: {}]", roomName, conference);
        publish(new ConferenceState(roomName, false, List.of(), room.audience));
      }
      return Future.succeededFuture();
    }
    String channel = event.channel();
    String endpoint = endpointOf(channel);
    if (event.kind() == AmiEvent.Confbridge.Kind.LEAVE) {
      String roomName = roomOfConference.get(conference);
      Room room = roomName == null ? null : rooms.get(roomName);
      if (room != null && room.userOfChannel.remove(channel) != null) {
        LOG.info("Conference left [room: {}, channel: {}]", roomName, channel);
        publish(state(roomName));
      }
      return Future.succeededFuture();
    }
    String roomName = roomOfConference.get(conference);
    if (roomName == null && rooms.containsKey(conference)) {
      roomName = conference; // the dialplan names the bridge after SWITCHBOARD_ROOM
    }
    if (roomName == null && endpoint != null) {
      roomName = roomOfEndpoint.get(endpoint);
    }
    if (roomName == null) {
      LOG.debug("Conference of no room [conference: {}, channel: {}]", conference, channel);
      return Future.succeededFuture();
    }
    if (endpoint != null) {
      roomOfEndpoint.remove(endpoint, roomName);
    }
    String joined = roomName;
    Room room = rooms.computeIfAbsent(joined, r -> new Room());
    room.conference = conference;
    roomOfConference.put(conference, joined);
    Future<Optional<String>> owner = endpoint == null ? Future.succeededFuture(Optional.empty()) : owners.owner(endpoint);
    return owner.map(user -> {
      String who = user.orElse(event.callerIdNum() != null ? event.callerIdNum() : endpoint);
      room.userOfChannel.put(channel, who);
      LOG.info("Conference joined [room: {}, user: {}, channel: {}]", joined, who, channel);
      publish(state(joined));
      return null;
    });
  }

  private void publish(ConferenceState state) {
    vertx.eventBus().publish(EventAddresses.CONFERENCE_CHANGED, state.toJson());
  }

  /** {@code PJSIP/1001-0000002a} → {@code 1001}. */
  static String endpointOf(String channel) {
    if (channel == null) {
      return null;
    }
    int slash = channel.indexOf('/');
    int dash = channel.lastIndexOf('-');
    return slash < 0 ? null : channel.substring(slash + 1, dash > slash ? dash : channel.length());
  }
}
