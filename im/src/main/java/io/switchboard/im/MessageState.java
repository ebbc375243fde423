package io.switchboard.im;

/**
 * Where a message is in its life. PENDING lasts while it is being forked to the recipient's
 * devices (it is already durable then); after a restart, PENDING ones are treated as STORED.
 */
public enum MessageState {
  PENDING, STORED, DELIVERED, EXPIRED, FAILED
}
