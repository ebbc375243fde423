package io.switchboard.core.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * Every meter Switchboard shows, in one Prometheus registry (Micrometer): ours, named once here
 * after Prometheus' conventions (base units, {@code _total} counters, no user names or addresses as
 * labels), the JVM's, and Vert.x's own when the {@link Vertx} was built by {@link #newVertx}. Built
 * once in the composition root and passed through constructors, as TaskPools; recording is
 * thread-safe and never blocks.
 */
public final class Metrics {

  /** What became of an instant message (each copy of a room message counts). */
  public enum MessageOutcome {
    /** Routed to a known recipient: it will end delivered or stored. */
    ACCEPTED,
    /** A device or console took it, at once or later from the store. */
    DELIVERED,
    /** Nobody took it within the fork timeout: kept for later. */
    STORED,
    /** Kept too long ({@code im.store-max-age}) and dropped. */
    EXPIRED
  }

  /** Methods we count under their own name; anything else a peer invents counts as {@code other}. */
  private static final Set<String> METHODS = Set.of("INVITE", "ACK", "BYE", "CANCEL", "REGISTER", "OPTIONS", "INFO",
      "PRACK", "UPDATE", "SUBSCRIBE", "NOTIFY", "PUBLISH", "MESSAGE", "REFER");
  /** Click-to-call outcomes: Asterisk's answer, or refused before it was asked. */
  public static final Set<String> CLICK_TO_CALL_OUTCOMES = Set.of("answered", "no-answer", "busy", "failed", "refused");
  /** Histogram buckets of SIP answer times: a SIP server should answer within milliseconds. */
  private static final Duration[] SIP_BUCKETS = millis(1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000);
  /** Fork times run up to the fork timeout (8 s by default, at most 30). */
  private static final Duration[] FORK_BUCKETS = millis(5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 8000, 10_000,
      30_000);
  private static final Duration[] STORE_BUCKETS = millis(1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 5000);

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Map<String, Timer> sipTimers = new ConcurrentHashMap<>();
  private final Map<String, Counter> sipCounters = new ConcurrentHashMap<>();
  private final Map<MessageOutcome, Counter> messages = new EnumMap<>(MessageOutcome.class);
  private final Map<String, Counter> clickToCall = new ConcurrentHashMap<>();
  private final Counter notifies;
  private final Timer fork;
  private final Counter amiEvents;
  private final Counter loginFailures;
  private final Counter loginsThrottled;
  private final EventLoopLag lag = new EventLoopLag();
  private JvmGcMetrics gc;

  public Metrics() {
    notifies = Counter.builder("switchboard.notify.sent").description("NOTIFY requests sent (presence, dialog, watcher info)")
        .register(registry);
    for (MessageOutcome o : MessageOutcome.values()) {
      messages.put(o, Counter.builder("switchboard.messages").description("Instant messages by what became of them")
          .tag("outcome", o.name().toLowerCase(Locale.ROOT)).register(registry));
    }
    fork = Timer.builder("switchboard.message.fork.duration")
        .description("From a message's fork to its outcome (delivered or stored)")
        .serviceLevelObjectives(FORK_BUCKETS).register(registry);
    amiEvents = Counter.builder("switchboard.ami.events").description("Events received from Asterisk (AMI)")
        .register(registry);
    for (String outcome : CLICK_TO_CALL_OUTCOMES) {
      clickToCall.put(outcome, Counter.builder("switchboard.click.to.call").description("Click-to-call by outcome")
          .tag("outcome", outcome).register(registry));
    }
    loginFailures = Counter.builder("switchboard.login.failures")
        .description("Web console logins refused for a wrong username or password").register(registry);
    loginsThrottled = Counter.builder("switchboard.logins.throttled")
        .description("Web console logins refused (429) before any password check").register(registry);
    gauge("switchboard.event.loop.lag", "Longest wait of a probe task on any event loop, last probe", lag,
        EventLoopLag::seconds, "seconds", Tags.empty());
  }

  private static Duration[] millis(long... values) {
    Duration[] out = new Duration[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = Duration.ofMillis(values[i]);
    }
    return out;
  }

  /** The registry, for binders of our own (tests read it too). */
  public MeterRegistry registry() {
    return registry;
  }

  /**
   * A Vert.x whose own meters (HTTP server, event bus, pools, net) land in this registry. Vert.x
   * takes its metrics factory only when it is built, so the composition root builds it here.
   */
  public Vertx newVertx(VertxOptions options) {
    options.setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true).setJvmMetricsEnabled(false));
    return Vertx.builder().with(options).withMetrics(new MicrometerMetricsFactory(registry)).build();
  }

  /** As {@link #newVertx}, a node of a cluster: completes once it has joined. */
  public io.vertx.core.Future<Vertx> newClusteredVertx(VertxOptions options, io.vertx.core.spi.cluster.ClusterManager manager) {
    options.setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true).setJvmMetricsEnabled(false));
    return Vertx.builder().with(options).withMetrics(new MicrometerMetricsFactory(registry)).withClusterManager(manager)
        .buildClustered();
  }

  /** Binds the JVM's meters (memory, GC, threads, classes, CPU, uptime) and probes the event loops. */
  public Metrics start(Vertx vertx) {
    new ClassLoaderMetrics().bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    gc = new JvmGcMetrics();
    gc.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    lag.start(vertx);
    return this;
  }

  /** Probes a group of event loops of a module's own (SIP's) beside Vert.x's. */
  public void watchEventLoops(Iterable<? extends io.netty.util.concurrent.EventExecutor> loops) {
    lag.watch(loops);
  }

  public void stop() {
    lag.stop();
    if (gc != null) {
      gc.close();
    }
  }

  /** The Prometheus text exposition of every meter. CPU only; call off the event loop for large registries. */
  public String scrape() {
    return registry.scrape();
  }

  // ---- SIP -----------------------------------------------------------------------------------

  /** Our final answer to a request went out: counted by method and status class, timed from receipt. */
  public void sipAnswered(String method, int status, long nanos) {
    String m = METHODS.contains(method) ? method : "other";
    String statusClass = (status / 100) + "xx";
    sipCounters.computeIfAbsent(m + " " + statusClass, k -> Counter.builder("switchboard.sip.requests")
        .description("SIP requests by method and the status class of our final answer")
        .tags("method", m, "status", statusClass).register(registry)).increment();
    sipTimers.computeIfAbsent(m, k -> Timer.builder("switchboard.sip.request.duration")
        .description("From a request's receipt to our final answer").tag("method", m)
        .serviceLevelObjectives(SIP_BUCKETS).register(registry)).record(nanos, TimeUnit.NANOSECONDS);
  }

  /** Registered contacts (bindings) now. */
  public void registrations(Supplier<Number> active) {
    gauge("switchboard.registrations.active", "Registered SIP contacts (bindings)", active, s -> s.get().doubleValue(),
        null, Tags.empty());
  }

  /** Registered contacts of one device kind now ({@code unprovisioned}: registered with the user's own credentials). */
  public void devicesActive(String kind, Supplier<Number> active) {
    gauge("switchboard.devices.active", "Registered contacts by the kind of their provisioned device", active,
        s -> s.get().doubleValue(), null, Tags.of("kind", kind));
  }

  /** Live subscriptions of one event package now. */
  public void subscriptionsActive(String event, Supplier<Number> active) {
    gauge("switchboard.subscriptions.active", "Live SUBSCRIBE dialogs by event package", active,
        s -> s.get().doubleValue(), null, Tags.of("event", event));
  }

  public void notifySent() {
    notifies.increment();
  }

  /**
   * Our UDP client transactions (NOTIFY, MESSAGE to a device): awaiting their final answer now,
   * refused past the per-loop limit ({@code sip.client-transactions.per-loop}), retransmissions sent.
   */
  public <T> void clientTransactions(T source, ToDoubleFunction<T> inFlight, ToDoubleFunction<T> refused,
      ToDoubleFunction<T> retransmitted) {
    gauge("switchboard.sip.client.transactions.active", "Requests sent over UDP awaiting their final answer", source,
        inFlight, null, Tags.empty());
    // A function counter holds its source weakly: the source is the SIP edge's, which lives as long.
    FunctionCounter.builder("switchboard.sip.client.transactions.refused", source, refused)
        .description("Requests not sent: their SIP context had its limit of requests in flight").register(registry);
    FunctionCounter.builder("switchboard.sip.retransmissions", source, retransmitted)
        .description("Requests sent over UDP again for want of an answer (Timer E)").register(registry);
  }

  // ---- IM ------------------------------------------------------------------------------------

  public void message(MessageOutcome outcome) {
    messages.get(outcome).increment();
  }

  public void messageForked(long nanos) {
    fork.record(nanos, TimeUnit.NANOSECONDS);
  }

  // ---- telephony -----------------------------------------------------------------------------

  /** Whether the AMI session is up now. */
  public void amiConnected(Supplier<Boolean> connected) {
    gauge("switchboard.ami.connected", "1 while logged in to Asterisk's AMI, else 0", connected,
        s -> Boolean.TRUE.equals(s.get()) ? 1 : 0, null, Tags.empty());
  }

  public void amiEvent() {
    amiEvents.increment();
  }

  /** @param outcome one of {@link #CLICK_TO_CALL_OUTCOMES} */
  public void clickToCall(String outcome) {
    Counter c = clickToCall.get(outcome);
    (c == null ? clickToCall.get("failed") : c).increment();
  }

  // ---- web -----------------------------------------------------------------------------------

  public void loginFailed() {
    loginFailures.increment();
  }

  public void loginThrottled() {
    loginsThrottled.increment();
  }

  // ---- task pools ----------------------------------------------------------------------------

  /**
   * A task pool's meters: tasks waiting for a thread, tasks refused, and how long each task ran
   * (the {@code store} pool's tasks are the store's operations).
   *
   * @return what the pool calls with each task's run time in nanoseconds
   */
  public java.util.function.LongConsumer taskPool(String pool, Supplier<Number> waiting, Supplier<Number> refused) {
    gauge("switchboard.task.pool.queue.depth", "Tasks waiting for a thread of the pool", waiting,
        s -> s.get().doubleValue(), null, Tags.of("pool", pool));
    FunctionCounter.builder("switchboard.task.pool.refused", refused, s -> s.get().doubleValue())
        .description("Tasks refused because the pool's queue was full").tag("pool", pool).register(registry);
    Timer timer = Timer.builder("store".equals(pool) ? "switchboard.store.operation.duration" : "switchboard.task.duration")
        .description("store".equals(pool) ? "Store (MongoDB driver) calls, as run on the pool" : "Tasks, as run on the pool")
        .tag("pool", pool).serviceLevelObjectives(STORE_BUCKETS).register(registry);
    return nanos -> timer.record(nanos, TimeUnit.NANOSECONDS);
  }

  private <T> void gauge(String name, String description, T source, ToDoubleFunction<T> value, String unit, Tags tags) {
    Gauge.builder(name, source, value).description(description).baseUnit(unit).tags(tags).strongReference(true)
        .register(registry);
  }

  // ---- what the status page charts -----------------------------------------------------------

  /** Cumulative values the status page's rates and percentiles are computed from (see {@link MetricsHistory}). */
  Readings read() {
    long[] cumulative = new long[SIP_BUCKETS.length + 1];
    for (Timer t : sipTimers.values()) {
      var counts = t.takeSnapshot().histogramCounts();
      for (int i = 0; i < counts.length && i < SIP_BUCKETS.length; i++) {
        cumulative[i] += (long) counts[i].count();
      }
      cumulative[SIP_BUCKETS.length] += t.count();
    }
    double ami = value("switchboard.ami.connected");
    return new Readings(System.currentTimeMillis(), value("switchboard.registrations.active"),
        messages.get(MessageOutcome.ACCEPTED).count(), notifies.count(), cumulative, Double.isNaN(ami) ? -1 : ami);
  }

  /** Upper bounds of the SIP answer-time buckets, in milliseconds (the last bucket is unbounded). */
  static double[] sipBucketMillis() {
    double[] out = new double[SIP_BUCKETS.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = SIP_BUCKETS[i].toMillis();
    }
    return out;
  }

  private double value(String gauge) {
    Gauge g = registry.find(gauge).gauge();
    return g == null ? Double.NaN : g.value();
  }

  /**
   * @param sipAnswers SIP answers so far at or under each bucket's bound (cumulative), then all of them
   * @param amiConnected 1 or 0, -1 when AMI is not watched
   */
  record Readings(long at, double registrations, double messagesAccepted, double notifies, long[] sipAnswers,
      double amiConnected) {
  }
}
