package io.switchboard.core.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A backlog of requests waits in the context's {@link InboundQueue}, not on its event loop: what is
 * queued on the loop meanwhile (the device's 200 to a MESSAGE we sent, a store completion) runs after
 * one batch of requests, not after the whole backlog; the requests themselves keep their order.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class InboundQueueTest {

  @Test
  void whatQueuesOnTheLoopDuringABacklogWaitsForOneBatchNotForTheBacklog(Vertx vertx, VertxTestContext ctx) {
    Context context = vertx.getOrCreateContext();
    int backlog = 200;
    List<Integer> handled = new ArrayList<>(); // on the context only
    int[] handledBeforeAnswer = {-1};
    InboundQueue queue = new InboundQueue(context, req -> {
      int n = req.sourcePort();
      handled.add(n);
      if (n == 0) {
        // The first request sends something whose answer comes back at once, onto this loop.
        context.runOnContext(v -> handledBeforeAnswer[0] = handled.size());
      }
      if (handled.size() == backlog) {
        ctx.verify(() -> {
          for (int i = 0; i < backlog; i++) {
            assertEquals(i, handled.get(i), "requests in the order they came");
          }
          assertTrue(handledBeforeAnswer[0] >= 1 && handledBeforeAnswer[0] <= InboundQueue.BATCH,
              "the answer ran after " + handledBeforeAnswer[0] + " requests, not behind the backlog of " + backlog);
        });
        ctx.completeNow();
      }
    });
    // The whole burst arrives before the loop takes any of it: offered while the loop is busy with this task.
    context.runOnContext(v -> {
      for (int i = 0; i < backlog; i++) {
        queue.offer(new SipRequest(null, null, "127.0.0.1", i, "udp"));
      }
    });
  }
}
