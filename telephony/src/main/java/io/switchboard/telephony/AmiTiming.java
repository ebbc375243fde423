package io.switchboard.telephony;

import java.time.Duration;

/**
 * Delays and timeouts of the AMI link and of call-state upkeep.
 *
 * @param initialBackoff first wait after a failed connection or a lost link; doubles per failure
 * @param maxBackoff the longest such wait; a session that stayed up this long resets the back-off
 * @param authRetry wait after Asterisk refused the login (a wrong secret does not fix itself)
 * @param pingInterval how often an established link is proven alive with a Ping
 * @param responseTimeout bound on a blocking action (login, Ping) and on a list action's complete event
 * @param resyncInterval how often call state is rebuilt from CoreShowChannels besides after each login
 * @param crossCheckDelay how long Asterisk's device state may contradict our channels before we resync
 */
record AmiTiming(Duration initialBackoff, Duration maxBackoff, Duration authRetry, Duration pingInterval,
    Duration responseTimeout, Duration resyncInterval, Duration crossCheckDelay) {

  static AmiTiming defaults() {
    return new AmiTiming(Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofSeconds(30),
        Duration.ofSeconds(20), Duration.ofSeconds(10), Duration.ofMinutes(5), Duration.ofSeconds(3));
  }
}
