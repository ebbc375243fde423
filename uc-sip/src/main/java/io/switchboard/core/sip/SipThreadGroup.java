package io.switchboard.core.sip;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The thread group JAIN-SIP's threads are made in (they inherit it from the thread that opens the
 * stack). JAIN-SIP 1.3 ends a TCP or TLS connection whose Content-Length is over MAX_MESSAGE_SIZE by
 * throwing out of the connection's parser thread ({@code PipelineThread-N}). Its line reader also
 * throws there, an ArrayIndexOutOfBoundsException, at a line that starts with two CRs ({@code
 * "\r\r\n"}, found by SipFuzzTest). Either way the parser's own {@code finally} closes the pipe and
 * with it the socket: the malformed stream ends its connection, an expected answer to a bad peer,
 * logged at debug. Anything else goes on to the default handler.
 */
final class SipThreadGroup extends ThreadGroup {

  private static final Logger LOG = LoggerFactory.getLogger(SipThreadGroup.class);

  SipThreadGroup() {
    super("jain-sip");
  }

  @Override
  public void uncaughtException(Thread thread, Throwable e) {
    if (thread.getName().startsWith("PipelineThread") && e instanceof RuntimeException) {
      LOG.debug("SIP connection dropped: its parser failed on what the peer sent [thread: {}]: {}", thread.getName(), e.toString());
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
