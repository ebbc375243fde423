package io.switchboard.core.sip;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import io.vertx.core.Context;
import io.vertx.core.ThreadingModel;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.impl.VertxImpl;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.spi.VertxThreadFactory;
import io.vertx.core.spi.transport.Transport;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * SIP's own event loops: threads {@code sip-eventloop-N} apart from Vert.x's, which serve the web
 * console, provisioning, AMI and the store's completions. A burst of work there (an import's store
 * calls all completing when a paused store resumes) then queues behind nothing SIP needs: the
 * operating system shares the cores between the loops instead of one loop's queue making SIP wait.
 * One Vert.x context per loop, so everything SIP code does (timers, store calls, their completions)
 * stays on SIP's threads.
 */
final class SipEventLoops {

  static final String THREAD_PREFIX = "sip-eventloop-";

  private final EventLoopGroup group;
  private final List<Context> contexts;

  private SipEventLoops(EventLoopGroup group, List<Context> contexts) {
    this.group = group;
    this.contexts = contexts;
  }

  /**
   * {@code count} loops of SIP's own, one context on each, belonging to {@code owner}'s deployment
   * (the edge's): what is registered on them (bus consumers, timers) ends when the edge is undeployed,
   * as on the deployment's own context.
   */
  static SipEventLoops start(Vertx vertx, Context owner, int count) {
    VertxInternal vx = (VertxInternal) vertx;
    ContextInternal deployment = (ContextInternal) owner;
    AtomicInteger next = new AtomicInteger();
    // Vert.x threads, so that Vert.x finds each context from its thread and logs a loop held too long.
    EventLoopGroup group = vx.transport().eventLoopGroup(Transport.IO_EVENT_LOOP_GROUP, count,
        task -> VertxThreadFactory.INSTANCE.newVertxThread(task, THREAD_PREFIX + next.getAndIncrement(), false,
            VertxOptions.DEFAULT_MAX_EVENT_LOOP_EXECUTE_TIME, VertxOptions.DEFAULT_MAX_EVENT_LOOP_EXECUTE_TIME_UNIT),
        50);
    List<Context> contexts = new ArrayList<>(count);
    for (EventExecutor e : group) {
      contexts.add(((VertxImpl) vx).createContext(ThreadingModel.EVENT_LOOP, (EventLoop) e, deployment.closeFuture(),
          deployment.workerPool(), deployment.deployment(), deployment.classLoader()));
    }
    // Ended with Vert.x's own loops, not with the edge: a store call or a bus reply may still land on
    // a SIP context while the other verticles stop.
    vx.nettyEventLoopGroup().terminationFuture().addListener(f -> group.shutdownGracefully(0, 2, TimeUnit.SECONDS));
    return new SipEventLoops(group, List.copyOf(contexts));
  }

  /** One context per loop, in the group's order. */
  List<Context> contexts() {
    return contexts;
  }

  /** The loops, for the event-loop lag probe. */
  EventLoopGroup group() {
    return group;
  }
}
