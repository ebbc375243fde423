package io.switchboard.core.sip;

import io.vertx.core.Context;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The requests waiting for one SIP context, handed to it a few at a time. One task per request on
 * the event loop (runOnContext each) puts everything else that loop has to do behind the whole
 * backlog: under a burst of MESSAGEs the device's 200 to one of them, and the store's "durable" for
 * another, waited behind every MESSAGE that arrived before them, the fork timed out (8 s) and the
 * message was stored (202) while the device had answered at once. Here the backlog waits in this
 * queue, and the loop takes {@link #BATCH} requests per turn, then goes to the back of its own
 * queue: answers and completions wait for one batch, not for the backlog. Order per context is kept
 * (one queue, first in first out), so requests with one affinity key stay in order.
 */
final class InboundQueue {

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(InboundQueue.class);

  /** Requests handled per turn of the event loop before whatever else queued there meanwhile. */
  static final int BATCH = 8;

  private final Context context;
  private final Consumer<SipRequest> dispatch;
  private final Queue<SipRequest> waiting = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean scheduled = new AtomicBoolean();

  /** @param dispatch runs one request, on {@code context} */
  InboundQueue(Context context, Consumer<SipRequest> dispatch) {
    this.context = context;
    this.dispatch = dispatch;
  }

  Context context() {
    return context;
  }

  /** Any thread (the stack's): queues the request and makes sure a turn is coming. */
  void offer(SipRequest request) {
    waiting.add(request);
    if (scheduled.compareAndSet(false, true)) {
      context.runOnContext(v -> drain());
    }
  }

  private void drain() {
    for (int i = 0; i < BATCH; i++) {
      SipRequest next = waiting.poll();
      if (next == null) {
        break;
      }
      try {
        dispatch.accept(next);
      } catch (RuntimeException e) {
        // One request's failure must not end the turns: the rest of the queue would never run.
        LOG.error("request not handled [call-id: {}]", next.callId(), e);
      }
    }
    if (!waiting.isEmpty()) {
      context.runOnContext(v -> drain()); // behind what queued on the loop during this batch
      return;
    }
    scheduled.set(false);
    // A request offered between the last poll and the reset found a turn scheduled: take it now.
    if (!waiting.isEmpty() && scheduled.compareAndSet(false, true)) {
      context.runOnContext(v -> drain());
    }
  }
}
