package io.switchboard.core.sip;

import gov.nist.core.CommonLogger;
import gov.nist.javax.sip.SipStackImpl;
import io.switchboard.api.SecurityEvent;
import io.switchboard.core.config.SwitchboardConfig;
import io.switchboard.core.exec.OverloadedException;
import io.switchboard.core.exec.TaskPool;
import io.switchboard.core.health.Health;
import io.switchboard.core.metrics.Metrics;
import io.switchboard.core.security.SecurityLog;
import io.switchboard.core.store.StoreException;
import io.switchboard.core.tls.TlsCredentials;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.text.ParseException;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Callable;
import javax.sip.ClientTransaction;
import javax.sip.DialogTerminatedEvent;
import javax.sip.IOExceptionEvent;
import javax.sip.ListeningPoint;
import javax.sip.RequestEvent;
import javax.sip.ResponseEvent;
import javax.sip.ServerTransaction;
import javax.sip.SipListener;
import javax.sip.SipProvider;
import javax.sip.TimeoutEvent;
import javax.sip.TransactionAlreadyExistsException;
import javax.sip.TransactionTerminatedEvent;
import javax.sip.TransactionUnavailableException;
import javax.sip.header.AllowHeader;
import javax.sip.header.RequireHeader;
import javax.sip.header.ToHeader;
import javax.sip.header.UnsupportedHeader;
import javax.sip.header.ViaHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SIP edge: one JAIN-SIP stack listening on UDP and TCP, and on TLS when a certificate is
 * configured (RFC 3261 §26, RFC 5630), a thin dispatcher by method, and the sending of each
 * handler's {@link SipOutcome}. JAIN-SIP calls back on its own threads; every request is copied
 * into a {@link SipRequest} and handed at once to one of {@code sip.event-loops} contexts, each on
 * an event loop of SIP's own ({@link SipEventLoops}), chosen by the method's {@link SipAffinity} (the
 * home context, the first, for handlers that keep shared state). Sends over UDP happen on the calling context
 * (they do not block); sends over TCP or TLS, which may block on a connect or a full socket, on the
 * {@code sip-send} pool. A request we send is answered on the context that sent it. Over UDP, a
 * request without usable credentials is challenged on the stack's thread before any transaction
 * ({@link #challengeStatelessly}), and methods registered with {@link #handleWithoutTransaction}
 * (REGISTER) get none at all. The plain first request of each digest exchange (no credentials at
 * all) is challenged from its datagram's bytes before the stack parses it ({@link RawChallenges}).
 */
public final class SipEdge extends VerticleBase implements SipListener {

  private static final Logger LOG = LoggerFactory.getLogger(SipEdge.class);
  /** The wire trace the stack writes for what it sends (Slf4jServerLogger), for what we send ourselves. */
  private static final Logger WIRE = LoggerFactory.getLogger("switchboard.sip.wire");
  /** Requests to devices whose flow another cluster node holds; null on a single node. */
  private volatile NodeSend nodeSend;

  /** Methods of RFC 3261 and its extensions that we know but may not serve: 405, not 501. */
  private static final Set<String> KNOWN_METHODS = Set.of("INVITE", "ACK", "BYE", "CANCEL", "REGISTER",
      "OPTIONS", "INFO", "PRACK", "UPDATE", "SUBSCRIBE", "NOTIFY", "PUBLISH", "MESSAGE", "REFER");

  public static final String SERVER = "Switchboard";

  private final SwitchboardConfig.Sip config;
  private final Health health;
  private final SecurityLog security;
  private final FloodGuard flood;
  private final Optional<TlsCredentials> tls;
  /** For TCP and TLS sends; null means Vert.x's shared worker pool. */
  private final TaskPool sipSend;
  private final Metrics metrics;
  private final SipFactories factories = SipFactories.create();
  private final Map<String, SipRequestHandler> handlers = new TreeMap<>();
  private final Map<String, SipAffinity> affinities = new TreeMap<>();
  /** Methods whose UDP requests get no server transaction: their handlers recognise retransmissions. */
  private final Set<String> withoutTransaction = new java.util.HashSet<>();
  private final Map<ClientTransaction, OutgoingRequest> pending = new java.util.concurrent.ConcurrentHashMap<>();
  /** Non-INVITE requests we send over UDP: our own client transactions; set at start. */
  private volatile UdpClientTransactions udpTransactions;
  /** Answers unauthenticated requests before a transaction exists; null: every request gets one. */
  private volatile DigestAuthenticator statelessChallenges;
  private volatile Context sipContext;
  /** One per SIP event loop, the home context first; set at start. */
  private volatile List<Context> contexts = List.of();
  /** Per context in {@link #contexts}, the requests waiting for it (handed over a batch at a time). */
  private SipStackImpl stack;
  private volatile OwnAnswersNetworkLayer ownAnswers;
  /** Unauthenticated requests challenged from their bytes, before the stack parses them; null: none. */
  private volatile RawChallenges rawChallenges;
  private SipProvider provider;
  private String advertisedHost;

  /**
   * @param tls with it, a TLS listening point on its {@code sip.tls-port} presenting its certificate
   * @param sipSend the pool for sends that may block (TCP, TLS): TaskPools#sipSend; null: Vert.x's workers
   * @param metrics counts and times every final answer
   */
  public SipEdge(SwitchboardConfig.Sip config, Health health, Optional<TlsCredentials> tls, SecurityLog security,
      java.time.Clock clock, TaskPool sipSend, Metrics metrics) {
    this.config = config;
    this.health = health;
    this.tls = tls;
    this.security = security;
    this.flood = new FloodGuard(clock, config.floodRate(), new SourceRanges(config.floodExempt()), this::floodStarted);
    this.sipSend = sipSend;
    this.metrics = metrics;
  }

  /** Registers the handler for a method, run on the home context. Call before deployment. */
  public SipEdge handle(String method, SipRequestHandler handler) {
    return handle(method, handler, SipAffinity.HOME);
  }

  /**
   * Registers the handler for a method, run on the context its affinity picks: the handler must be
   * safe on several contexts at once (requests with the same key stay on one). Call before deployment.
   */
  public SipEdge handle(String method, SipRequestHandler handler, SipAffinity affinity) {
    handlers.put(method, handler);
    affinities.put(method, affinity);
    return this;
  }

  /**
   * Lets {@code authenticator} answer, before any transaction or hand-off, the UDP requests of the
   * methods it authenticates that carry no usable credentials ({@link DigestAuthenticator#screenBeforeTransaction}):
   * their 401/407 is sent statelessly from the stack's thread, so the first round of every
   * challenge, and an unauthenticated flood, leaves nothing behind. Call before deployment.
   */
  public SipEdge challengeStatelessly(DigestAuthenticator authenticator) {
    this.statelessChallenges = authenticator;
    return this;
  }

  /**
   * Registers a handler whose requests over UDP are answered without a server transaction: the
   * handler must recognise a retransmission (same Call-ID, CSeq and Via branch) and answer it as it
   * answered the original, since no transaction absorbs it; the response's To tag is derived from
   * the request, so that the answer is the same. Over TCP and TLS (no retransmissions, and a
   * transaction that ends with its answer) they get one as usual. Call before deployment.
   */
  public SipEdge handleWithoutTransaction(String method, SipRequestHandler handler, SipAffinity affinity) {
    withoutTransaction.add(method);
    return handle(method, handler, affinity);
  }

  /** Server transactions in the stack's table now (each lingers after its answer: Timer J, 32 s over UDP). */
  int serverTransactions() {
    return stack == null ? 0 : stack.getServerTransactionTableSize();
  }

  /** JAIN-SIP client transactions in the stack's table now (INVITE, TCP and TLS sends only). */
  int stackClientTransactions() {
    return stack == null ? 0 : stack.getClientTransactionTableSize();
  }

  /** Requests we sent over UDP awaiting their final answer now. */
  int udpClientTransactions() {
    UdpClientTransactions udp = udpTransactions;
    return udp == null ? 0 : udp.inFlight();
  }

  /** Answers to requests sent as bytes that were matched before the stack parsed them. */
  long answersTakenUnparsed() {
    UdpClientTransactions udp = udpTransactions;
    return udp == null ? 0 : udp.takenUnparsed();
  }

  /** The handler registered for a method (tests wrap it); null if none. */
  SipRequestHandler handler(String method) {
    return handlers.get(method);
  }

  public SipFactories factories() {
    return factories;
  }

  /** The host other parties should use to reach us (Via sent-by, Contact). */
  public String advertisedHost() {
    return advertisedHost;
  }

  public int port() {
    return config.port();
  }

  /** The SIP-over-TLS port, when TLS is configured. */
  public Optional<Integer> tlsPort() {
    return tls.map(t -> t.config().sipPort());
  }

  /** Our port for a transport: the TLS port for tls, else the UDP/TCP one. */
  private int portFor(String transport) {
    return "tls".equalsIgnoreCase(transport) ? tlsPort().orElse(config.port()) : config.port();
  }

  /**
   * The home context: where handlers registered without an affinity run (presence, with its shared
   * index), and services that listen on the bus next to them; null before deployment.
   */
  public Context sipContext() {
    return sipContext;
  }

  /** Every context SIP requests are spread over, the home context first; empty before deployment. */
  public List<Context> contexts() {
    return contexts;
  }

  @Override
  public Future<?> start() {
    SipEventLoops loops = SipEventLoops.start(vertx, context, config.eventLoops());
    if (metrics != null) {
      metrics.watchEventLoops(loops.group());
    }
    contexts = loops.contexts();
    sipContext = contexts.get(0);
    udpTransactions = new UdpClientTransactions(vertx, request -> provider.sendRequest(request),
        (datagram, to) -> ownAnswers.send(datagram, to), config.timerT1Millis(), config.timerT2Millis(),
        config.clientTransactionsPerLoop());
    if (metrics != null) {
      metrics.clientTransactions(udpTransactions, UdpClientTransactions::inFlight, UdpClientTransactions::refused,
          UdpClientTransactions::retransmitted);
    }
    health.report("sip", Health.State.STARTING);
    return vertx.executeBlocking(() -> {
      // JAIN-SIP's threads (listeners, timers, each connection's parser) are made in one group.
      SipThreadGroup.runIn("sip-stack-start", this::openStack);
      return null;
    }).onSuccess(v -> {
      JsonObject details = new JsonObject()
          .put("udp", config.bindAddress() + ":" + config.port())
          .put("tcp", config.bindAddress() + ":" + config.port())
          .put("domain", config.domain());
      tlsPort().ifPresent(port -> details.put("tls", config.bindAddress() + ":" + port));
      health.report("sip", Health.State.UP, details);
      LOG.info("SIP listening [udp+tcp: {}:{}, tls: {}, domain: {}, advertised: {}]", config.bindAddress(), config.port(),
          tlsPort().map(port -> config.bindAddress() + ":" + port).orElse("off"), config.domain(), advertisedHost);
    }).onFailure(e -> health.report("sip", Health.State.DOWN, new JsonObject().put("error", e.getMessage())));
  }

  @Override
  public Future<?> stop() {
    return vertx.executeBlocking(() -> {
      if (stack != null) {
        stack.stop();
      }
      return null;
    });
  }

  private void openStack() throws Exception {
    // Route JAIN-SIP's static loggers to SLF4J before anything in the stack logs (no log4j 1.x).
    CommonLogger.useLegacyLogger = true;
    CommonLogger.legacyLogger = new Slf4jStackLogger();
    Properties p = new Properties();
    p.setProperty("javax.sip.STACK_NAME", "switchboard-" + UUID.randomUUID());
    p.setProperty("javax.sip.AUTOMATIC_DIALOG_SUPPORT", "off");
    p.setProperty("gov.nist.javax.sip.STACK_LOGGER", Slf4jStackLogger.class.getName());
    p.setProperty("gov.nist.javax.sip.SERVER_LOGGER", Slf4jServerLogger.class.getName());
    p.setProperty("gov.nist.javax.sip.TRACE_LEVEL", LoggerFactory.getLogger("switchboard.sip.wire").isTraceEnabled() ? "32" : "0");
    // We hand every request off at once, so the stack need not serialise listener calls; a fixed
    // pool parses incoming datagrams (the default starts a thread per message, which falls behind).
    p.setProperty("gov.nist.javax.sip.REENTRANT_LISTENER", "true");
    p.setProperty("gov.nist.javax.sip.THREAD_POOL_SIZE", "8");
    // Bound what one TCP peer can make us buffer.
    p.setProperty("gov.nist.javax.sip.MAX_MESSAGE_SIZE", "65536");
    // A TCP peer's bad mandatory headers must not kill the connection's parser thread (SipFuzzTest).
    p.setProperty("gov.nist.javax.sip.MESSAGE_PARSER_FACTORY", GuardedParserFactory.class.getName());
    p.setProperty("gov.nist.javax.sip.MAX_SERVER_TRANSACTIONS", "20000");
    // One presence change fans out to every watcher at once: room for a NOTIFY per subscription,
    // and for their answers arriving together (the default 208 KiB UDP buffer drops them: measured).
    p.setProperty("gov.nist.javax.sip.MAX_CLIENT_TRANSACTIONS", "100000");
    p.setProperty("gov.nist.javax.sip.RECEIVE_UDP_BUFFER_SIZE", String.valueOf(4 * 1024 * 1024));
    p.setProperty("gov.nist.javax.sip.SEND_UDP_BUFFER_SIZE", String.valueOf(4 * 1024 * 1024));
    TlsNetworkLayer tlsLayer = tls.map(t -> new TlsNetworkLayer(t.serverContext())).orElse(null);
    if (tlsLayer != null) {
      // The stack sets these on every TLS socket; its defaults still include TLS 1.0 and 3DES.
      p.setProperty("gov.nist.javax.sip.TLS_CLIENT_PROTOCOLS", String.join(",", tlsLayer.protocols()));
      p.setProperty("gov.nist.javax.sip.ENABLED_CIPHER_SUITES", String.join(",", tlsLayer.suites()));
      // Phones authenticate with digest, not certificates: none asked for.
      p.setProperty("gov.nist.javax.sip.TLS_CLIENT_AUTH_TYPE", "Disabled");
      // A connection that never finishes its handshake is closed after this (ms).
      p.setProperty("gov.nist.javax.sip.SSL_HANDSHAKE_TIMEOUT", "10000");
    }
    // Answers to the requests we send as prepared bytes are matched before the stack parses them.
    // And the first, unauthenticated request of each digest exchange is challenged from its bytes.
    rawChallenges = rawChallenges();
    ownAnswers = new OwnAnswersNetworkLayer(tlsLayer == null ? gov.nist.core.net.DefaultNetworkLayer.SINGLETON : tlsLayer,
        new OwnAnswersNetworkLayer.Filter() {
          @Override
          public boolean take(byte[] buf, int off, int len) {
            return udpTransactions.answerDatagram(buf, off, len);
          }

          @Override
          public boolean take(byte[] buf, int off, int len, java.net.InetSocketAddress from) {
            RawChallenges raw = rawChallenges;
            return udpTransactions.answerDatagram(buf, off, len) || raw != null && raw.take(buf, off, len, from);
          }
        });
    OwnAnswersNetworkLayer.Stack ownStack = new OwnAnswersNetworkLayer.Stack(p, ownAnswers);
    stack = ownStack;
    advertisedHost = config.advertisedAddress().orElseGet(() -> defaultAdvertised(config.bindAddress()));
    ListeningPoint udp = stack.createListeningPoint(config.bindAddress(), config.port(), ListeningPoint.UDP);
    if (ownAnswers.readIntoOwnBuffer(ownStack)) {
      LOG.debug("UDP datagrams read through one buffer [port: {}]", config.port());
    }
    ListeningPoint tcp = stack.createListeningPoint(config.bindAddress(), config.port(), ListeningPoint.TCP);
    udp.setSentBy(advertisedHost + ":" + config.port());
    tcp.setSentBy(advertisedHost + ":" + config.port());
    provider = stack.createSipProvider(udp);
    provider.addListeningPoint(tcp);
    if (tlsLayer != null) {
      int tlsPort = tlsPort().orElseThrow();
      ListeningPoint tlsPoint = stack.createListeningPoint(config.bindAddress(), tlsPort, ListeningPoint.TLS);
      tlsPoint.setSentBy(advertisedHost + ":" + tlsPort);
      provider.addListeningPoint(tlsPoint);
    }
    provider.addSipListener(this);
    stack.start();
  }

  /**
   * Challenges answered from the datagram ({@link RawChallenges}) for the methods the authenticator
   * challenges that have a handler; null without stateless challenges.
   */
  private RawChallenges rawChallenges() throws ParseException {
    DigestAuthenticator authenticator = statelessChallenges;
    if (authenticator == null || metrics == null) {
      return null;
    }
    Set<String> methods = new java.util.HashSet<>(DigestAuthenticator.CHALLENGED.keySet());
    methods.retainAll(handlers.keySet());
    return new RawChallenges(authenticator, flood, metrics, methods, (datagram, to) -> ownAnswers.send(datagram, to),
        factories.headers().createServerHeader(List.of(SERVER)).toString());
  }

  /** Requests challenged (or refused for a flood) from their bytes, without the stack. */
  long challengedFromBytes() {
    RawChallenges raw = rawChallenges;
    return raw == null ? 0 : raw.taken();
  }

  /** Turns challenging from bytes off (on by default): tests compare its answers with the stack path's. */
  void challengeFromBytes(boolean on) {
    RawChallenges raw = rawChallenges;
    if (raw != null) {
      raw.enabled(on);
    }
  }

  static String defaultAdvertised(String bindAddress) {
    if (!bindAddress.equals("0.0.0.0") && !bindAddress.equals("::")) {
      return bindAddress;
    }
    try {
      for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        if (nic.isUp() && !nic.isLoopback()) {
          for (InetAddress a : Collections.list(nic.getInetAddresses())) {
            if (a instanceof java.net.Inet4Address) {
              return a.getHostAddress();
            }
          }
        }
      }
    } catch (SocketException e) {
      LOG.debug("cannot list interfaces", e);
    }
    return "127.0.0.1";
  }

  // ---- JAIN-SIP threads: copy, hand off, return ----------------------------------------------

  @Override
  public void processRequest(RequestEvent event) {
    Request request = event.getRequest();
    if (!admitted(event)) {
      return;
    }
    if (!answerable(request)) {
      LOG.debug("dropped: a Via with a non-numeric rport, no response can be built [call-id: {}]", callId(request));
      return;
    }
    ServerTransaction st = event.getServerTransaction();
    long started = System.nanoTime();
    DigestAuthenticator.Result screening = st == null ? screenStatelessly(event) : null;
    if (screening != null && !(screening instanceof DigestAuthenticator.Screened)
        && answeredStatelessly(event, screening, started)) {
      return;
    }
    // Credentials screened here are handed on, so that the handler checks them against the secret only.
    DigestAuthenticator.Screened screened = screening instanceof DigestAuthenticator.Screened s ? s : null;
    String udpSource = st == null && withoutTransaction.contains(request.getMethod()) ? udpSource(event) : null;
    if (udpSource != null) {
      int colon = udpSource.lastIndexOf(':');
      SipRequest copy = new SipRequest(request, null, udpSource.substring(0, colon),
          Integer.parseInt(udpSource.substring(colon + 1)), "udp", screened);
      contextFor(copy).runOnContext(v -> dispatch(copy));
      return;
    }
    if (st == null && !Request.ACK.equals(request.getMethod())) {
      try {
        st = provider.getNewServerTransaction(request);
      } catch (TransactionAlreadyExistsException e) {
        LOG.debug("retransmission absorbed [call-id: {}]", callId(request));
        return;
      } catch (TransactionUnavailableException e) {
        LOG.debug("no transaction for request [call-id: {}]: {}", callId(request), e.getMessage());
        return;
      }
    }
    String transport = st != null ? String.valueOf(((gov.nist.javax.sip.stack.SIPServerTransaction) st).getTransport()).toLowerCase()
        : "udp";
    String host = st != null ? ((gov.nist.javax.sip.stack.SIPServerTransaction) st).getPeerAddress() : "?";
    int port = st != null ? ((gov.nist.javax.sip.stack.SIPServerTransaction) st).getPeerPort() : 0;
    SipRequest copy = new SipRequest(request, st, host, port, transport, screened);
    contextFor(copy).runOnContext(v -> dispatch(copy));
  }


  /** host:port of a request that came over UDP, as the stack read it; null for other transports. */
  private static String udpSource(RequestEvent event) {
    return event instanceof gov.nist.javax.sip.RequestEventExt ext && ext.getRemoteIpAddress() != null
        && event.getRequest().getHeader(ViaHeader.NAME) instanceof ViaHeader via && "udp".equalsIgnoreCase(via.getTransport())
        ? ext.getRemoteIpAddress() + ":" + ext.getRemotePort() : null;
  }

  /**
   * The credentials of a request screened before any transaction or hand-off
   * ({@link DigestAuthenticator#screenBeforeTransaction}): only over UDP, where a stateless answer goes
   * back the way the Via says (over TCP and TLS the answer must take the request's own connection,
   * which only a transaction knows), and only for methods with a handler that pass the checks every
   * request gets ({@link #precheck}).
   *
   * @return null when not screened here; {@link DigestAuthenticator.Screened} credentials for the
   *     handler to check; anything else is to be answered at once ({@link #answeredStatelessly})
   */
  private DigestAuthenticator.Result screenStatelessly(RequestEvent event) {
    DigestAuthenticator authenticator = statelessChallenges;
    Request request = event.getRequest();
    if (authenticator == null || !handlers.containsKey(request.getMethod())
        || !(event instanceof gov.nist.javax.sip.RequestEventExt ext) || ext.getRemoteIpAddress() == null
        || !(request.getHeader(ViaHeader.NAME) instanceof ViaHeader via) || !"udp".equalsIgnoreCase(via.getTransport())) {
      return null;
    }
    try {
      return precheck(request) != null ? null
          : authenticator.screenBeforeTransaction(request, ext.getRemoteIpAddress(), ext.getRemotePort());
    } catch (RuntimeException e) {
      LOG.debug("not screened [call-id: {}]: {}", callId(request), e.getMessage());
      return null;
    }
  }

  /**
   * A challenge (or a refusal decided without the store) sent at once, without a server transaction.
   *
   * @return false when no answer could be made: the handler answers instead
   */
  private boolean answeredStatelessly(RequestEvent event, DigestAuthenticator.Result refused, long started) {
    Request request = event.getRequest();
    gov.nist.javax.sip.RequestEventExt ext = (gov.nist.javax.sip.RequestEventExt) event;
    SipOutcome.Reply early;
    Response response;
    try {
      early = statelessChallenges.answer(refused, request, ext.getRemoteIpAddress(), ext.getRemotePort());
      response = response(request, early, true);
    } catch (ParseException | RuntimeException e) {
      LOG.debug("no stateless answer [call-id: {}]: {}", callId(request), e.getMessage());
      return false;
    }
    try {
      sendStateless(response);
      metrics.sipAnswered(request.getMethod(), early.status(), System.nanoTime() - started);
    } catch (javax.sip.SipException | RuntimeException e) {
      LOG.debug("cannot send {} [call-id: {}]: {}", early.status(), callId(request), e.getMessage());
    }
    return true;
  }

  /**
   * The context a request runs on: by its method's affinity; methods without a handler by Call-ID.
   * One task per request on its loop: a queue of our own taking a few per turn (tried on 2026-11-30)
   * halved the REGISTER rate that passes (6,400/s failed where 8,834/s passes this way).
   */
  private Context contextFor(SipRequest req) {
    List<Context> all = contexts;
    if (all.size() <= 1) {
      return sipContext;
    }
    String key;
    try {
      key = affinities.getOrDefault(req.method(), SipAffinity.CALL_ID).key(req);
    } catch (RuntimeException e) {
      key = null; // a header the stack let through but we cannot read: the handler will answer it
    }
    return key == null ? sipContext : all.get(Math.floorMod(key.hashCode(), all.size()));
  }


  /**
   * The flood check, first of all and before a transaction exists, so that a flood neither fills
   * the transaction table nor queues work on the SIP context. Over the limit: 503 with Retry-After,
   * sent statelessly from a worker, or nothing at all when the flood goes on.
   */
  /**
   * Whether a response can be built for the request: JAIN-SIP parses {@code rport=abc} but throws when a
   * response copies that Via, so such a request can be neither answered nor routed back; it is dropped.
   */
  private static boolean answerable(Request request) {
    for (java.util.ListIterator<?> vias = request.getHeaders(ViaHeader.NAME); vias.hasNext(); ) {
      try {
        ((ViaHeader) vias.next()).getRPort();
      } catch (NumberFormatException e) {
        return false;
      }
    }
    return true;
  }

  private boolean admitted(RequestEvent event) {
    Request request = event.getRequest();
    if (Request.ACK.equals(request.getMethod()) || !(event instanceof gov.nist.javax.sip.RequestEventExt ext)
        || ext.getRemoteIpAddress() == null) {
      return true;
    }
    FloodGuard.Verdict verdict = flood.check(ext.getRemoteIpAddress());
    if (verdict == FloodGuard.Verdict.ADMIT) {
      return true;
    }
    if (verdict == FloodGuard.Verdict.REJECT && sipContext != null) {
      sipContext.executeBlocking(() -> {
        Response busy = factories.messages().createResponse(Response.SERVICE_UNAVAILABLE, request);
        ToHeader to = (ToHeader) busy.getHeader(ToHeader.NAME);
        if (to != null && to.getTag() == null) {
          to.setTag(SipTags.newTag());
        }
        busy.addHeader(factories.headers().createRetryAfterHeader(flood.retryAfterSeconds()));
        busy.addHeader(factories.headers().createServerHeader(List.of(SERVER)));
        provider.sendResponse(busy);
        return null;
      }, false).onFailure(e -> LOG.debug("cannot send 503 [call-id: {}]: {}", callId(request), e.getMessage()));
    }
    return false;
  }

  private void floodStarted(String source) {
    Context c = sipContext;
    if (c != null) {
      c.runOnContext(v -> security.record(SecurityEvent.Kind.SOURCE_THROTTLED, null, source,
          "request flood: over " + config.floodRate() + "/s, answered 503 or dropped"));
    }
  }

  @Override
  public void processResponse(ResponseEvent event) {
    Response response = event.getResponse();
    ClientTransaction ct = event.getClientTransaction();
    if (ct == null) {
      UdpClientTransactions udp = udpTransactions;
      if (udp == null || !udp.answer(response)) {
        LOG.debug("stray response {} dropped [call-id: {}]", response.getStatusCode(), callId(response));
      }
      return;
    }
    if (response.getStatusCode() < 200) {
      return;
    }
    OutgoingRequest out = pending.remove(ct);
    if (out != null) {
      out.origin().runOnContext(v -> out.promise().tryComplete(response));
    }
  }

  @Override
  public void processTimeout(TimeoutEvent event) {
    if (!event.isServerTransaction()) {
      fail(event.getClientTransaction(), "no answer (transaction timeout)");
    }
  }

  @Override
  public void processIOException(IOExceptionEvent event) {
    LOG.debug("I/O error towards {}:{} ({})", event.getHost(), event.getPort(), event.getTransport());
  }

  @Override
  public void processTransactionTerminated(TransactionTerminatedEvent event) {
    if (!event.isServerTransaction()) {
      fail(event.getClientTransaction(), "transaction ended without a final response");
    }
  }

  private void fail(ClientTransaction ct, String why) {
    OutgoingRequest out = ct == null ? null : pending.remove(ct);
    if (out != null) {
      out.origin().runOnContext(v -> out.promise().tryFail(new SipSendException(why)));
    }
  }

  // ---- requests we send ----------------------------------------------------------------------

  /** A Via for a request we originate over this transport (udp, tcp, tls), with a fresh branch. */
  public ViaHeader newVia(String transport) {
    try {
      return factories.headers().createViaHeader(advertisedHost, portFor(transport), transport, SipTags.newBranch());
    } catch (ParseException | javax.sip.InvalidArgumentException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Points a request we send to a device at the address its REGISTER or SUBSCRIBE came from when
   * that is not the host its Contact names: the device is behind NAT, and the pinhole (or its TCP
   * connection) is the way back. Over TLS the way back is always the device's own connection
   * (RFC 5923's reuse, as RFC 5626 flows do): a device need not listen for TLS, and we could not
   * check its certificate if it did. Otherwise the request goes to the Contact, over its transport.
   */
  public void routeToDevice(Request request, String source, String transport) {
    try {
      var f = factories;
      javax.sip.address.URI target = request.getRequestURI();
      boolean sameHost = source != null && target instanceof javax.sip.address.SipURI sip
          && source.substring(0, source.lastIndexOf(':')).equalsIgnoreCase(sip.getHost());
      boolean ownConnection = source != null && "tls".equalsIgnoreCase(transport);
      if (source != null && (!sameHost || ownConnection)) {
        int colon = source.lastIndexOf(':');
        javax.sip.address.SipURI hop = f.addresses().createSipURI(null, source.substring(0, colon));
        hop.setPort(Integer.parseInt(source.substring(colon + 1)));
        hop.setTransportParam(transport);
        hop.setLrParam();
        request.addFirst(f.headers().createRouteHeader(f.addresses().createAddress(hop)));
      } else if (target instanceof javax.sip.address.SipURI sip && sip.getTransportParam() == null
          && !"udp".equalsIgnoreCase(transport)) {
        sip.setTransportParam(transport);
      }
    } catch (ParseException | javax.sip.SipException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * An out-of-dialog request to one registered device (MESSAGE, NOTIFY check-sync): to its Contact,
   * over the transport it registered on, routed back the way its REGISTER came (NAT), with a fresh
   * Call-ID, From tag and branch, CSeq 1. The caller adds the body and any further headers.
   *
   * @param from the From address (with display name if any); a tag is added
   * @param to the To address: the user the device belongs to
   */
  public Request requestToDevice(String method, Binding device, javax.sip.address.Address from,
      javax.sip.address.Address to) throws ParseException, javax.sip.InvalidArgumentException {
    var f = factories;
    String transport = device.transport() == null ? "udp" : device.transport().toLowerCase(java.util.Locale.ROOT);
    Request request = f.messages().createRequest(f.addresses().createURI(device.contact()), method,
        f.headers().createCallIdHeader(SipTags.newCallId() + "@" + advertisedHost),
        f.headers().createCSeqHeader(1L, method), f.headers().createFromHeader(from, SipTags.newTag()),
        f.headers().createToHeader(to, null), List.of(newVia(transport)), f.headers().createMaxForwardsHeader(70));
    routeToDevice(request, device.source(), transport);
    return request;
  }

  /**
   * Our Contact, for dialogs we take part in (subscriptions). Over TLS a {@code sips:} URI on the TLS
   * port (RFC 5630 §3.1.3): the dialog's later requests must come over TLS too.
   */
  public javax.sip.header.ContactHeader contact(String transport) {
    try {
      javax.sip.address.SipURI uri = factories.addresses().createSipURI(null, advertisedHost);
      uri.setPort(portFor(transport));
      if ("tls".equalsIgnoreCase(transport)) {
        uri.setSecure(true);
      } else if (!"udp".equalsIgnoreCase(transport)) {
        uri.setTransportParam(transport);
      }
      return factories.headers().createContactHeader(factories.addresses().createAddress(uri));
    } catch (ParseException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Sends an out-of-dialog request through a client transaction (retransmissions, timers): our own
   * over UDP for every method but INVITE ({@link UdpClientTransactions}), JAIN-SIP's otherwise. The
   * future completes on the calling context (the home context when called off Vert.x) with the
   * final response, or fails with a
   * {@link SipSendException} on timeout, transport error, or too many requests in flight.
   */
  public Future<Response> send(Request request) {
    return start(request).answer();
  }

  /**
   * As {@link #start(Request)}, for a request {@link #requestToDevice} built for {@code device}: in a
   * cluster, sent from the node that holds the device's flow (its REGISTER's node).
   */
  public OutgoingRequest start(Request request, Binding device) {
    NodeSend through = nodeSend;
    return through != null && through.elsewhere(device) ? through.start(request, device) : start(request);
  }

  /**
   * As {@link #start(Request, Binding)}, for a sender that needs only the final status code (a MESSAGE
   * to a device). Over UDP, to a device whose address is an IP literal, held by this node, the request
   * is encoded once and goes out as those bytes from our UDP socket through our own client transaction
   * (its retransmissions are the same bytes), and its answers are matched by Via branch before
   * JAIN-SIP parses them, as NOTIFYs are ({@link #sendDatagram}): no routing, encoding or parsing in
   * the stack per request or answer. Anything else goes through {@link #start(Request, Binding)}.
   * Call on a Vert.x context.
   */
  public OutgoingStatus startForStatus(Request request, Binding device) {
    NodeSend through = nodeSend;
    UdpClientTransactions udp = udpTransactions;
    java.net.InetSocketAddress to = udp == null || ownAnswers == null || io.vertx.core.Vertx.currentContext() == null
        || through != null && through.elsewhere(device) ? null : datagramTarget(request);
    if (to == null) {
      OutgoingRequest out = start(request, device);
      return new OutgoingStatus(out.answer().map(Response::getStatusCode), out::terminate);
    }
    String branch = ((ViaHeader) request.getHeader(ViaHeader.NAME)).getBranch();
    byte[] bytes = ((gov.nist.javax.sip.message.SIPMessage) request).encodeAsBytes(ListeningPoint.UDP);
    return udp.startDatagramStoppable(bytes, branch, request.getMethod(), to);
  }

  /**
   * Where a non-INVITE request with a UDP Via and a branch goes, when no name needs resolving: its top
   * Route (a loose route, as {@link #routeToDevice} adds for a device behind NAT), else its Request-URI,
   * a {@code sip:} URI over UDP (no transport, or udp; no maddr) whose host is an IP literal, at its port
   * or 5060. Null when it is anything else: the stack's router decides those.
   */
  public static java.net.InetSocketAddress datagramTarget(Request request) {
    if (Request.INVITE.equals(request.getMethod()) || !(request.getHeader(ViaHeader.NAME) instanceof ViaHeader via)
        || !ListeningPoint.UDP.equalsIgnoreCase(via.getTransport()) || via.getBranch() == null) {
      return null;
    }
    javax.sip.address.URI next = request.getRequestURI();
    if (request.getHeader(javax.sip.header.RouteHeader.NAME) instanceof javax.sip.header.RouteHeader route) {
      next = route.getAddress().getURI();
      if (!(next instanceof javax.sip.address.SipURI loose) || !loose.hasLrParam()) {
        return null; // a strict route rewrites the Request-URI: the stack's router does that
      }
    }
    if (!(next instanceof javax.sip.address.SipURI sip) || sip.isSecure() || sip.getMAddrParam() != null
        || sip.getTransportParam() != null && !ListeningPoint.UDP.equalsIgnoreCase(sip.getTransportParam())) {
      return null;
    }
    byte[] ip = io.netty.util.NetUtil.createByteArrayFromIpAddressString(sip.getHost());
    if (ip == null) {
      return null;
    }
    try {
      return new java.net.InetSocketAddress(InetAddress.getByAddress(ip), sip.getPort() > 0 ? sip.getPort() : 5060);
    } catch (java.net.UnknownHostException e) {
      return null; // not for an address of 4 or 16 bytes
    }
  }

  /** In a cluster: where requests to devices held by other nodes go. */
  void sendThroughNodes(NodeSend through) {
    nodeSend = through;
  }

  /**
   * Sends an out-of-dialog request as {@link #send} does, and gives the caller a way to stop it:
   * {@link OutgoingRequest#terminate()} ends the client transaction and its retransmissions.
   */
  public OutgoingRequest start(Request request) {
    Context caller = io.vertx.core.Vertx.currentContext();
    OutgoingRequest out = new OutgoingRequest(Promise.promise(), caller != null ? caller : sipContext, this::end);
    Promise<Response> answer = out.promise();
    ViaHeader via = (ViaHeader) request.getHeader(ViaHeader.NAME);
    String transport = via == null ? "udp" : via.getTransport();
    if (ownTransaction(request, transport)) {
      sendOn(transport, () -> {
        if (!out.terminated()) {
          udpTransactions.start(request, out);
        }
        return null;
      }).onFailure(answer::tryFail);
      return out;
    }
    sendOn(transport, () -> {
      if (out.terminated()) {
        return null;
      }
      ClientTransaction ct = provider.getNewClientTransaction(request);
      pending.put(ct, out);
      if (!out.attach(() -> stop(ct))) {
        pending.remove(ct);
        return null;
      }
      try {
        ct.sendRequest();
      } catch (javax.sip.SipException e) {
        pending.remove(ct);
        throw new SipSendException("cannot send: " + e.getMessage());
      }
      if (out.terminated()) {
        terminate(ct); // terminated while it was being sent: sendRequest has just started its timers
      }
      return null;
    }).onFailure(answer::tryFail);
    return out;
  }

  /**
   * Sends a non-INVITE request its caller prepared as bytes (a NOTIFY from its dialog's template)
   * from our UDP socket to {@code to}, through our own client transaction: retransmitted as any
   * other, its answers matched by {@code branch} (the one in its top Via) before JAIN-SIP parses
   * them. Call on a Vert.x context; completes there with the final status code, or fails with a
   * {@link SipSendException} as {@link #send} does.
   */
  public Future<Integer> sendDatagram(byte[] request, String branch, String method, java.net.InetSocketAddress to) {
    UdpClientTransactions udp = udpTransactions;
    if (udp == null || ownAnswers == null) {
      return Future.failedFuture(new SipSendException("cannot send: SIP not started"));
    }
    return udp.startDatagram(request, branch, method, to);
  }

  /**
   * As {@link #startForStatus}, for a request its caller prepared as bytes from one {@link #requestToDevice}
   * built for {@code device} (a MESSAGE to a device), whose top Via has {@code branch}, going to {@code to}
   * ({@link #datagramTarget} of that request): sent as {@link #startForStatus} sends its bytes. Null when
   * {@link #startForStatus} would not send bytes (SIP not started, off a Vert.x context, a device another
   * node holds): the caller then builds the request and calls that.
   */
  public OutgoingStatus startPreparedForStatus(byte[] datagram, String branch, String method,
      java.net.InetSocketAddress to, Binding device) {
    NodeSend through = nodeSend;
    UdpClientTransactions udp = udpTransactions;
    if (udp == null || ownAnswers == null || io.vertx.core.Vertx.currentContext() == null
        || through != null && through.elsewhere(device)) {
      return null;
    }
    return udp.startDatagramStoppable(datagram, branch, method, to);
  }

  /**
   * Where the switch is: UDP non-INVITE requests (NOTIFY, MESSAGE to a device, the hot paths) get
   * our lean transaction on the sending context. INVITE keeps JAIN-SIP's (its ACK and dialog
   * handling), and so do TCP and TLS: no retransmissions there, the connection (which may block on
   * connect) is the stack's, and neither is on a hot path.
   */
  private boolean ownTransaction(Request request, String transport) {
    return udpTransactions != null && (transport == null || "udp".equalsIgnoreCase(transport))
        && !Request.INVITE.equals(request.getMethod());
  }

  /** Ends an outgoing request's transaction (if it got one) and fails its answer, if still open. */
  private void end(OutgoingRequest out, Runnable stop) {
    if (stop != null) {
      stop.run();
    }
    out.origin().runOnContext(v -> out.promise().tryFail(new SipSendException("terminated before an answer")));
  }

  /** Ends a JAIN-SIP client transaction, off the event loop (the stack takes its locks). */
  private void stop(ClientTransaction ct) {
    pending.remove(ct);
    vertx.executeBlocking(() -> {
      terminate(ct);
      return null;
    }, false);
  }

  private static void terminate(ClientTransaction ct) {
    try {
      // Terminated state: the stack's timer stops retransmitting and drops the transaction.
      ct.terminate();
    } catch (javax.sip.ObjectInUseException e) {
      LOG.debug("cannot terminate client transaction [branch: {}]: {}", ct.getBranchId(), e.getMessage());
    }
  }

  /**
   * Runs a send where it belongs: UDP right here on the calling context (JAIN-SIP's UDP send does
   * not block; off Vert.x, on the home context), TCP and TLS on the sip-send pool (connect and a
   * full socket block), never on an event loop.
   */
  private <T> Future<T> sendOn(String transport, Callable<T> send) {
    if (transport == null || "udp".equalsIgnoreCase(transport)) {
      return io.vertx.core.Vertx.currentContext() != null ? now(send)
          : Future.future(p -> sipContext.runOnContext(v -> now(send).onComplete(p)));
    }
    return sipSend == null ? vertx.executeBlocking(send, false) : sipSend.submit(send);
  }

  /**
   * Sends a response without a transaction. Over UDP to an IP literal it is encoded once and sent from
   * our listening socket (the one the stack sends from) where the stack would send it (RFC 3261 §18.2.2,
   * RFC 3581): the top Via's {@code received}, else its host; its {@code rport}, else its port, else 5060;
   * without the stack's per-response transaction look-up, resolver and new message channel, which cost as
   * much as the encoding on the MESSAGE path (its 407 and its 200). Anything else goes through the stack.
   */
  private void sendStateless(Response response) throws javax.sip.SipException {
    OwnAnswersNetworkLayer own = ownAnswers;
    java.net.InetSocketAddress to = own == null ? null : statelessTarget(response);
    if (to == null) {
      provider.sendResponse(response);
      return;
    }
    try {
      own.send(((gov.nist.javax.sip.message.SIPMessage) response).encodeAsBytes(ListeningPoint.UDP), to);
      if (WIRE.isTraceEnabled()) {
        WIRE.trace("sent -> {}\n{}", to, response); // as the stack's own sends are traced (Slf4jServerLogger)
      }
    } catch (java.io.IOException e) {
      throw new javax.sip.SipException("cannot send: " + e.getMessage(), e);
    }
  }

  /**
   * Where a response over UDP goes, as the stack's stateless send decides it: null when its top Via is
   * not UDP or the address is not an IP literal (a name to resolve: the stack does that).
   */
  static java.net.InetSocketAddress statelessTarget(Response response) {
    return response.getHeader(ViaHeader.NAME) instanceof ViaHeader via ? statelessTarget(via) : null;
  }

  /** As {@link #statelessTarget(Response)}, from the top Via the response copies. */
  static java.net.InetSocketAddress statelessTarget(ViaHeader via) {
    if (via == null || !ListeningPoint.UDP.equalsIgnoreCase(via.getTransport())) {
      return null;
    }
    String host = via.getReceived() != null ? via.getReceived() : via.getHost();
    byte[] ip = host == null ? null : io.netty.util.NetUtil.createByteArrayFromIpAddressString(host);
    if (ip == null) {
      return null;
    }
    int port = via.getRPort() > 0 ? via.getRPort() : via.getPort() > 0 ? via.getPort() : 5060;
    try {
      return new java.net.InetSocketAddress(InetAddress.getByAddress(ip), port);
    } catch (java.net.UnknownHostException e) {
      return null;
    }
  }

  private static <T> Future<T> now(Callable<T> work) {
    try {
      return Future.succeededFuture(work.call());
    } catch (Exception e) {
      return Future.failedFuture(e);
    }
  }

  @Override
  public void processDialogTerminated(DialogTerminatedEvent event) {
  }

  // ---- SIP contexts --------------------------------------------------------------------------

  private void dispatch(SipRequest req) {
    long started = System.nanoTime();
    String method = req.method();
    if (Request.ACK.equals(method)) {
      return;
    }
    Future<SipOutcome> outcome;
    SipOutcome early = precheck(req.request());
    if (early != null) {
      outcome = Future.succeededFuture(early);
    } else {
      SipRequestHandler handler = handlers.get(method);
      if (handler == null) {
        outcome = Future.succeededFuture(KNOWN_METHODS.contains(method)
            ? SipOutcome.reply(Response.METHOD_NOT_ALLOWED, this::addAllow)
            : SipOutcome.reply(Response.NOT_IMPLEMENTED, this::addAllow));
      } else {
        try {
          outcome = handler.handle(req);
        } catch (RuntimeException e) {
          outcome = Future.failedFuture(e);
        }
      }
    }
    outcome.recover(e -> Future.succeededFuture(failureOutcome(req, e)))
        .onSuccess(o -> send(req, o, started));
  }

  /** Checks every request gets, whatever its method (RFC 3261 §8.2.1-8.2.2). */
  private SipOutcome precheck(Request request) {
    String scheme = request.getRequestURI().getScheme();
    if (!"sip".equalsIgnoreCase(scheme) && !"sips".equalsIgnoreCase(scheme)) {
      return SipOutcome.reply(Response.UNSUPPORTED_URI_SCHEME);
    }
    RequireHeader require = (RequireHeader) request.getHeader(RequireHeader.NAME);
    if (require != null && !Request.CANCEL.equals(request.getMethod())) {
      List<String> tags = new java.util.ArrayList<>();
      request.getHeaders(RequireHeader.NAME).forEachRemaining(h -> tags.add(((RequireHeader) h).getOptionTag()));
      return SipOutcome.reply(Response.BAD_EXTENSION, r -> {
        for (String tag : tags) {
          try {
            UnsupportedHeader u = factories.headers().createUnsupportedHeader(tag);
            r.addHeader(u);
          } catch (ParseException e) {
            LOG.debug("bad option tag {}", tag);
          }
        }
      });
    }
    return null;
  }

  private SipOutcome failureOutcome(SipRequest req, Throwable e) {
    if (e instanceof StoreException se && se.kind() == StoreException.Kind.UNAVAILABLE) {
      LOG.warn("store unavailable [call-id: {}, method: {}]: {}", req.callId(), req.method(), e.getMessage());
      return serviceUnavailable(30);
    }
    if (e instanceof OverloadedException o) {
      LOG.warn("overloaded [call-id: {}, method: {}, pool: {}]", req.callId(), req.method(), o.pool());
      return serviceUnavailable(o.retryAfterSeconds());
    }
    LOG.error("handler failed [call-id: {}, method: {}]", req.callId(), req.method(), e);
    return SipOutcome.reply(Response.SERVER_INTERNAL_ERROR);
  }

  private SipOutcome serviceUnavailable(int retryAfterSeconds) {
    return SipOutcome.reply(Response.SERVICE_UNAVAILABLE, r -> {
      try {
        r.addHeader(factories.headers().createRetryAfterHeader(retryAfterSeconds));
      } catch (javax.sip.InvalidArgumentException ignored) {
        // a small positive number is valid
      }
    });
  }

  public void addAllow(Response response) {
    try {
      AllowHeader allow = factories.headers().createAllowHeader(String.join(", ", allowedMethods()));
      response.addHeader(allow);
    } catch (ParseException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The methods this server answers, for Allow headers. */
  public List<String> allowedMethods() {
    return List.copyOf(handlers.keySet());
  }

  private void send(SipRequest req, SipOutcome outcome, long started) {
    boolean stateless = req.transaction() == null;
    if (!(outcome instanceof SipOutcome.Reply reply) || stateless && !withoutTransaction.contains(req.method())) {
      return;
    }
    SipOutcome.Headers lines = reply.decorate() instanceof SipOutcome.Headers h ? h : null;
    byte[] direct = stateless && encodeDirectly && lines != null ? encoded(req.request(), reply.status(), lines) : null;
    java.net.InetSocketAddress directTo = direct == null || ownAnswers == null ? null
        : statelessTarget((ViaHeader) req.request().getHeader(ViaHeader.NAME));
    Response response;
    try {
      response = directTo != null ? null : response(req.request(), reply, stateless);
    } catch (ParseException e) {
      LOG.error("cannot build response [call-id: {}]", req.callId(), e);
      return;
    }
    sendOn(req.transport(), () -> {
      if (directTo != null) {
        encodedDirectly.increment();
        sendBytes(direct, directTo);
      } else if (stateless) {
        sendStateless(response);
      } else {
        req.transaction().sendResponse(response);
      }
      return null;
    }).onComplete(r -> {
      if (r.failed()) {
        LOG.debug("cannot send {} [call-id: {}]: {}", reply.status(), req.callId(), r.cause().getMessage());
        return;
      }
      metrics.sipAnswered(req.method(), reply.status(), System.nanoTime() - started);
      if (LOG.isDebugEnabled()) {
        LOG.debug("{} answered {} in {} ms [call-id: {}]", req.method(), reply.status(),
            (System.nanoTime() - started) / 1_000_000, req.callId());
      }
      reply.afterSent().run();
    });
  }

  /**
   * The response a reply makes: a To tag on a final answer (derived from the request when no
   * transaction will re-send the response), our Server header, the handler's headers.
   */
  private Response response(Request request, SipOutcome.Reply reply, boolean stateless) throws ParseException {
    Response response = factories.messages().createResponse(reply.status(), request);
    ToHeader to = (ToHeader) response.getHeader(ToHeader.NAME);
    if (to != null && to.getTag() == null && reply.status() > 100) {
      to.setTag(stateless ? statelessTag(request) : SipTags.newTag());
    }
    response.addHeader(factories.headers().createServerHeader(List.of(SERVER)));
    reply.decorate().accept(response);
    return response;
  }

  /**
   * The answer to a request answered without a transaction, bare or with the handler's {@code headers}
   * as text, encoded straight from the parsed request's headers: the bytes {@link #response} and the
   * stack's encoding give (RawChallengeTest compares them), without {@code createResponse} cloning
   * every header it copies. Null when the request has what that would copy besides Via, From, To,
   * Call-ID and CSeq (Record-Route, Timestamp), or a To tag is to be kept: the usual way then.
   */
  private static byte[] encoded(Request request, int status, SipOutcome.Headers headers) {
    if (!(request instanceof gov.nist.javax.sip.message.SIPRequest sip) || status <= 100
        || sip.getHeader(javax.sip.header.RecordRouteHeader.NAME) != null
        || sip.getHeader(javax.sip.header.TimeStampHeader.NAME) != null || sip.getCSeq() == null
        || sip.getCallId() == null || sip.getFrom() == null || sip.getTo() == null || sip.getViaHeaders() == null
        || sip.getTo().getTag() != null) {
      return null;
    }
    StringBuilder out = new StringBuilder(512);
    out.append("SIP/2.0 ").append(status).append(' ')
        .append(gov.nist.javax.sip.message.SIPResponse.getReasonPhrase(status)).append("\r\n");
    // In the order createResponse copies them (that of its HashSet of their names), as RawChallenges does.
    ((gov.nist.javax.sip.header.SIPHeader) sip.getCSeq()).encode(out);
    ((gov.nist.javax.sip.header.SIPHeader) sip.getCallId()).encode(out);
    ((gov.nist.javax.sip.header.SIPHeader) sip.getFrom()).encode(out);
    int toStart = out.length();
    ((gov.nist.javax.sip.header.SIPHeader) sip.getTo()).encode(out);
    if (out.length() < toStart + 2 || out.charAt(out.length() - 2) != '\r') {
      return null;
    }
    out.setLength(out.length() - 2);
    out.append(";tag=").append(statelessTag(request)).append("\r\n");
    sip.getViaHeaders().encode(out);
    out.append(SERVER_LINE);
    headers.appendTo(out);
    out.append("Content-Length: 0\r\n\r\n");
    return out.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  /** Our Server header line, as createServerHeader encodes it ({@link #response}). */
  private static final String SERVER_LINE = "Server: " + SERVER + "\r\n";

  /** Sends an encoded response from our listening socket, traced as the stack traces its sends. */
  private void sendBytes(byte[] datagram, java.net.InetSocketAddress to) throws javax.sip.SipException {
    try {
      ownAnswers.send(datagram, to);
      if (WIRE.isTraceEnabled()) {
        WIRE.trace("sent -> {}\n{}", to, new String(datagram, java.nio.charset.StandardCharsets.UTF_8));
      }
    } catch (java.io.IOException e) {
      throw new javax.sip.SipException("cannot send: " + e.getMessage(), e);
    }
  }

  /** Whether bare answers are encoded straight from the request ({@link #encoded}); tests compare. */
  private volatile boolean encodeDirectly = true;

  private final java.util.concurrent.atomic.LongAdder encodedDirectly = new java.util.concurrent.atomic.LongAdder();

  void encodeAnswersDirectly(boolean on) {
    encodeDirectly = on;
  }

  /** Answers sent as {@link #encoded} them so far. */
  long answersEncodedDirectly() {
    return encodedDirectly.sum();
  }

  private static String statelessTag(Request request) {
    javax.sip.header.FromHeader from = (javax.sip.header.FromHeader) request.getHeader(javax.sip.header.FromHeader.NAME);
    javax.sip.header.CSeqHeader cseq = (javax.sip.header.CSeqHeader) request.getHeader(javax.sip.header.CSeqHeader.NAME);
    ViaHeader via = (ViaHeader) request.getHeader(ViaHeader.NAME);
    return SipTags.statelessTag(callId(request), from == null ? null : from.getTag(), cseq == null ? 0 : cseq.getSeqNumber(),
        via == null ? null : via.getBranch());
  }

  private static String callId(javax.sip.message.Message request) {
    javax.sip.header.CallIdHeader h = (javax.sip.header.CallIdHeader) request.getHeader(javax.sip.header.CallIdHeader.NAME);
    return h == null ? "?" : h.getCallId();
  }
}
