package io.switchboard.core.sip;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The thread group JAIN-SIP's threads are made in (they inherit it from the thread that opens the
 * stack). JAIN-SIP 1.3 ends a TCP connection whose Content-Length is over MAX_MESSAGE_SIZE by
 * throwing out of the connection's parser thread; the pipe is closed, then the socket. That is an
 * expected answer to a bad peer, logged at debug; anything else goes on to the default handler.
 */
final class SipThreadGroup extends ThreadGroup {

  private static final Logger LOG = LoggerFactory.getLogger(SipThreadGroup.class);

  SipThreadGroup() {
    super("jain-sip");
  }

  @Override
  public void uncaughtException(Thread thread, Throwable e) {
    if (e instanceof RuntimeException && e.getMessage() != null && e.getMessage().startsWith("Max content size Exceeded")) {
      LOG.debug("SIP connection dropped [thread: {}]: {}", thread.getName(), e.getMessage());
      return;
    }
    super.uncaughtException(thread, e);
  }

  /** Runs {@code action} on a thread of a new group and waits for it: every thread it starts is in the group. */
  static void runIn(String name, ThrowingRunnable action) throws Exception {
    Exception[] failure = new Exception[1];
    Thread t = new Thread(new SipThreadGroup(), () -> {
      try {
        action.run();
      } catch (Exception e) {
        failure[0] = e;
      }
    }, name);
    t.start();
    t.join();
    if (failure[0] != null) {
      throw failure[0];
    }
  }

  @FunctionalInterface
  interface ThrowingRunnable {
    void run() throws Exception;
  }
}
