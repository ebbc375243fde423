package io.switchboard.telephony;

import java.util.function.Consumer;
import org.asteriskjava.lock.Locker.LockCloser;
import org.asteriskjava.manager.ManagerConnectionState;
import org.asteriskjava.manager.event.DisconnectEvent;
import org.asteriskjava.manager.event.ManagerEvent;
import org.asteriskjava.manager.internal.ManagerConnectionImpl;

/**
 * An Asterisk-Java connection that lives for one AMI session. When an established session drops,
 * the stock {@link ManagerConnectionImpl} starts a thread of its own that reconnects every 50 ms, then
 * every 5 s, for ever, and logs in again behind our back. {@link AmiLink} owns reconnection instead
 * (bounded back-off, health, resync, one code path for every failure), so this connection leaves
 * CONNECTED before the library's handler looks and reports the loss to {@code onLost} itself (the
 * library fires {@link DisconnectEvent} to listeners only when it reconnects). Everything else is
 * the library's.
 *
 * <p>This is what {@code ManagerConnectionFactory#createManagerConnection()} builds, plus that one
 * change; it relies on {@code dispatchEvent} and the protected {@code state} of Asterisk-Java 3.41
 * ({@code SingleSessionConnectionTest} and the link-loss tests pin the behaviour).
 */
final class SingleSessionConnection extends ManagerConnectionImpl {

  private final Consumer<SingleSessionConnection> onLost;

  /** {@code onLost} runs on Asterisk-Java's event thread when an established session ends: hand off, do not block. */
  SingleSessionConnection(String host, int port, String username, String secret,
      Consumer<SingleSessionConnection> onLost) {
    this.onLost = onLost;
    setHostname(host);
    setPort(port);
    setUsername(username);
    setPassword(secret);
  }

  @Override
  public void dispatchEvent(ManagerEvent event, Integer requiredHandlingTime) {
    boolean lost = false;
    if (event instanceof DisconnectEvent) {
      try (LockCloser ignored = withLock()) {
        if (state == ManagerConnectionState.CONNECTED) {
          state = ManagerConnectionState.DISCONNECTED;
          lost = true;
        }
      }
    }
    // For a DisconnectEvent this only fails the actions still waiting for an answer.
    super.dispatchEvent(event, requiredHandlingTime);
    if (lost) {
      onLost.accept(this);
    }
  }

  /** Blocking: ends the session, politely when it is still up. Never throws. */
  void close() {
    try {
      if (getState() == ManagerConnectionState.CONNECTED) {
        logoff();
      } else {
        disconnect();
      }
    } catch (RuntimeException e) {
      disconnect();
    }
  }
}
