package io.switchboard.telephony;

import java.util.Map;
import java.util.function.Function;
import org.asteriskjava.manager.event.BridgeEnterEvent;
import org.asteriskjava.manager.event.BridgeLeaveEvent;
import org.asteriskjava.manager.event.ConfbridgeEndEvent;
import org.asteriskjava.manager.event.ConfbridgeJoinEvent;
import org.asteriskjava.manager.event.ConfbridgeLeaveEvent;
import org.asteriskjava.manager.event.DeviceStateChangeEvent;
import org.asteriskjava.manager.event.DialBeginEvent;
import org.asteriskjava.manager.event.DialEndEvent;
import org.asteriskjava.manager.event.HangupEvent;
import org.asteriskjava.manager.event.HoldEvent;
import org.asteriskjava.manager.event.ManagerEvent;
import org.asteriskjava.manager.event.MessageWaitingEvent;
import org.asteriskjava.manager.event.NewChannelEvent;
import org.asteriskjava.manager.event.NewConnectedLineEvent;
import org.asteriskjava.manager.event.NewStateEvent;
import org.asteriskjava.manager.event.UnholdEvent;

/**
 * The AMI events call state is built from, copied out of Asterisk-Java's event objects on its
 * thread so that nothing of the library's is touched on ours. Immutable.
 */
sealed interface AmiEvent {

  /** Events about one channel. Fields Asterisk did not send are null. */
  record ChannelEvent(Kind kind, String channel, Integer channelState, String callerIdNum, String connectedNum,
      String connectedName, String exten, String destChannel, String bridgeId, String dialStatus) implements AmiEvent {

    enum Kind { NEW_CHANNEL, NEW_STATE, NEW_CONNECTED_LINE, DIAL_BEGIN, DIAL_END, BRIDGE_ENTER, BRIDGE_LEAVE, HOLD,
      UNHOLD, HANGUP }
  }

  /**
   * {@code OriginateResponse}: whether the first leg of an async Originate (the user's own phone)
   * answered. {@code reason} is Asterisk's: 4 answered, 3 no answer, 5 busy, others failed.
   */
  record OriginateResponse(String actionId, String response, Integer reason) implements AmiEvent {
  }

  /** {@code DeviceStateChange}: Asterisk's own aggregate for a device such as {@code PJSIP/1002}. */
  record DeviceStateChange(String device, DeviceState state) implements AmiEvent {
  }

  /**
   * {@code ConfbridgeJoin}, {@code ConfbridgeLeave}, {@code ConfbridgeEnd}: a channel entered or left a
   * ConfBridge conference, or the conference ended (channel null).
   */
  record Confbridge(Kind kind, String conference, String channel, String callerIdNum) implements AmiEvent {

    enum Kind { JOIN, LEAVE, END }
  }

  /** {@code MessageWaiting}: a voicemail box ({@code 1001@default}) changed; counts Asterisk did not send are null. */
  record MessageWaiting(String mailbox, Integer waiting, Integer newMessages, Integer oldMessages) implements AmiEvent {
  }

  /**
   * Copiers by exact event class: one map lookup decides, so the events we do not use (VarSet is
   * about 45% of the traffic, then Newexten, RTCP, security events) cost nothing more.
   */
  Map<Class<? extends ManagerEvent>, Function<ManagerEvent, AmiEvent>> COPIERS = Map.of(
      NewChannelEvent.class, e -> channel(ChannelEvent.Kind.NEW_CHANNEL, e, null),
      NewStateEvent.class, e -> channel(ChannelEvent.Kind.NEW_STATE, e, null),
      NewConnectedLineEvent.class, e -> channel(ChannelEvent.Kind.NEW_CONNECTED_LINE, e, null),
      DialBeginEvent.class, e -> dial(ChannelEvent.Kind.DIAL_BEGIN, (DialBeginEvent) e),
      DialEndEvent.class, e -> dial(ChannelEvent.Kind.DIAL_END, (DialEndEvent) e),
      BridgeEnterEvent.class, e -> channel(ChannelEvent.Kind.BRIDGE_ENTER, e, ((BridgeEnterEvent) e).getBridgeUniqueId()),
      BridgeLeaveEvent.class, e -> channel(ChannelEvent.Kind.BRIDGE_LEAVE, e, ((BridgeLeaveEvent) e).getBridgeUniqueId()),
      HoldEvent.class, e -> channel(ChannelEvent.Kind.HOLD, e, null),
      UnholdEvent.class, e -> channel(ChannelEvent.Kind.UNHOLD, e, null),
      HangupEvent.class, e -> channel(ChannelEvent.Kind.HANGUP, e, null));

  /** The copy of an event call state needs, or null for every other event. */
  static AmiEvent copyOf(ManagerEvent event) {
    if (event instanceof DeviceStateChangeEvent d) {
      return new DeviceStateChange(d.getDevice(), DeviceState.of(d.getState()));
    }
    if (event instanceof org.asteriskjava.manager.event.OriginateResponseEvent o) {
      return new OriginateResponse(o.getActionId(), o.getResponse(), o.getReason());
    }
    if (event instanceof org.asteriskjava.manager.event.AbstractConfbridgeEvent c) {
      Confbridge.Kind kind = c instanceof ConfbridgeJoinEvent ? Confbridge.Kind.JOIN
          : c instanceof ConfbridgeLeaveEvent ? Confbridge.Kind.LEAVE
          : c instanceof ConfbridgeEndEvent ? Confbridge.Kind.END : null;
      return kind == null ? null : new Confbridge(kind, c.getConference(), kind == Confbridge.Kind.END ? null
          : c.getChannel(), c.getCallerIdNum());
    }
    if (event instanceof MessageWaitingEvent m) {
      return new MessageWaiting(m.getMailbox(), m.getWaiting(), m.getNew(), m.getOld());
    }
    Function<ManagerEvent, AmiEvent> copier = COPIERS.get(event.getClass());
    return copier == null ? null : copier.apply(event);
  }

  private static ChannelEvent dial(ChannelEvent.Kind kind, org.asteriskjava.manager.event.DialEvent e) {
    return new ChannelEvent(kind, e.getChannel(), e.getChannelState(), e.getCallerIdNum(), e.getConnectedLineNum(),
        e.getConnectedLineName(), e.getExten(), e.getDestChannel(), null, e.getDialStatus());
  }

  private static ChannelEvent channel(ChannelEvent.Kind kind, ManagerEvent e, String bridgeId) {
    return new ChannelEvent(kind, channelOf(e), e.getChannelState(), e.getCallerIdNum(), e.getConnectedLineNum(),
        e.getConnectedLineName(), e.getExten(), null, bridgeId, null);
  }

  private static String channelOf(ManagerEvent e) {
    if (e instanceof org.asteriskjava.manager.event.AbstractChannelEvent c) {
      return c.getChannel();
    }
    if (e instanceof NewConnectedLineEvent n) {
      return n.getChannel();
    }
    if (e instanceof BridgeEnterEvent b) {
      return b.getChannel();
    }
    if (e instanceof BridgeLeaveEvent b) {
      return b.getChannel();
    }
    if (e instanceof org.asteriskjava.manager.event.AbstractHoldEvent h) {
      return h.getChannel();
    }
    return null;
  }
}
