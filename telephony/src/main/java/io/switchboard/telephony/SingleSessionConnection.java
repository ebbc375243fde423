package io.switchboard.telephony;

import org.asteriskjava.lock.Locker.LockCloser;
import org.asteriskjava.manager.ManagerConnectionState;
import org.asteriskjava.manager.event.DisconnectEvent;
import org.asteriskjava.manager.event.ManagerEvent;
import org.asteriskjava.manager.internal.ManagerConnectionImpl;

/**
 * An Asterisk-Java connection that lives for one AMI session. When an established session drops,
 * the stock {@link ManagerConnectionImpl} starts a thread of its own that reconnects every 50 ms, then
 * every 5 s, for ever, and logs in again behind our back. {@link AmiLink} owns reconnection instead
 * (bounded back-off, health, resync, one code path for every failure), so this connection only
 * reports the loss: it leaves CONNECTED before the library's handler looks, which then just fires
 * the {@link DisconnectEvent} to the listeners. Everything else is the library's.
 *
 * <p>This is what {@code ManagerConnectionFactory#createManagerConnection()} builds, plus that one
 * change; it relies on {@code dispatchEvent} and the protected {@code state} of Asterisk-Java 3.41.
 */
final class SingleSessionConnection extends ManagerConnectionImpl {

  SingleSessionConnection(String host, int port, String username, String secret) {
    setHostname(host);
    setPort(port);
    setUsername(username);
    setPassword(secret);
  }

  @Override
  public void dispatchEvent(ManagerEvent event, Integer requiredHandlingTime) {
    if (event instanceof DisconnectEvent) {
      try (LockCloser ignored = withLock()) {
        if (state == ManagerConnectionState.CONNECTED) {
          state = ManagerConnectionState.DISCONNECTED;
        }
      }
    }
    super.dispatchEvent(event, requiredHandlingTime);
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
