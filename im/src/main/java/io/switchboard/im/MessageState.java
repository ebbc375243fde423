package io.switchboard.im;

/**
 * Where a message is in its life. PENDING is only ever in memory, while the message is forked to
 * the recipient's devices; it reaches the store as DELIVERED or STORED.
 */
public enum MessageState {
  PENDING, STORED, DELIVERED, EXPIRED, FAILED
}
