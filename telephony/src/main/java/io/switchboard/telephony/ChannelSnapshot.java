package io.switchboard.telephony;

import org.asteriskjava.manager.event.CoreShowChannelEvent;

/** One channel as {@code CoreShowChannels} lists it, copied on Asterisk-Java's thread. */
record ChannelSnapshot(String channel, Integer channelState, String callerIdNum, String connectedNum,
    String connectedName, String bridgeId) {

  static ChannelSnapshot of(CoreShowChannelEvent e) {
    return new ChannelSnapshot(e.getChannel(), e.getChannelState(), e.getCallerIdNum(), e.getConnectedLineNum(),
        e.getConnectedLineName(), e.getBridgeid());
  }
}
