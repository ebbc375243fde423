package io.switchboard.core.sip;

import io.switchboard.api.SecurityEvent;
import io.switchboard.core.model.Device;
import io.switchboard.core.model.User;
import io.switchboard.core.security.Digest;
import io.switchboard.core.security.SecurityLog;
import io.switchboard.core.store.DeviceStore;
import io.switchboard.core.store.UserStore;
import io.vertx.core.Future;
import java.text.ParseException;
import java.time.Clock;
import java.util.List;
import java.util.ListIterator;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import javax.sip.address.URI;
import javax.sip.header.AuthorizationHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.HeaderFactory;
import javax.sip.header.ProxyAuthorizationHeader;
import javax.sip.header.WWWAuthenticateHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Digest authentication of SIP requests (RFC 3261 §22.4, RFC 7616, RFC 8760 for SHA-256), as a UAS
 * that answers 401, or 407 for requests we relay. The realm is the SIP domain. The digest username
 * is either the Switchboard username (checked against the user's HA1s, from their
 * {@code sipPassword}) or a provisioned device's endpoint name (checked against that device's SIP
 * secret, the one its phone file carries): both authenticate the user, the second also names the
 * device. Endpoints are unique; the user's own credentials are tried first when a username and an
 * endpoint are spelt alike.
 *
 * <p>Credentials are only good for the request they were made for and only once: the realm must be
 * ours, the algorithm one we offered, the digest {@code uri} the Request-URI (400 otherwise, RFC
 * 7616 §3.4.6), and the nonce count one not seen before on that nonce ({@link NonceCounts}); a replay
 * gets a fresh challenge. Responses are compared in constant time. Every failed digest is a
 * DIGEST_FAILED security event; a source address that keeps failing is refused with 403 for a while
 * without any check ({@link AuthFailures}).
 */
public final class DigestAuthenticator {

  private static final Logger LOG = LoggerFactory.getLogger(DigestAuthenticator.class);

  /** The result of looking at a request's credentials. */
  public sealed interface Result {
  }

  /**
   * Credentials verified for this enabled user.
   *
   * @param device the provisioned device whose credentials these were; null for the user's own
   */
  public record Authenticated(User user, Device device) implements Result {
  }

  /** No usable credentials: answer 401 with fresh challenges. */
  public record Challenge(boolean stale) implements Result {
  }

  /** Credentials given against a valid nonce but wrong, or for an unknown or disabled user: 403. */
  public record Forbidden(String reason) implements Result {
  }

  /** Credentials that cannot be for this request (RFC 7616 §3.4.6): 400, the reason names the field. */
  public record BadRequest(String reason) implements Result {
  }

  /**
   * Not an answer: credentials that passed {@link #screen} and must now be checked against the
   * user's or device's secret, parsed once. The SIP edge screens a UDP request on the stack's thread
   * before handing it off ({@link #beforeTransaction}) and passes this along in the
   * {@link SipRequest}, so that {@link #authenticate} checks the secret without screening again.
   *
   * @param proxy whether they came in Proxy-Authorization (true) or Authorization
   * @param nc the nonce count as a number ({@link NonceCounts#WITHOUT_QOP} without qop)
   */
  public record Screened(boolean proxy, AuthorizationHeader auth, String username, String algorithm, String qop,
      String ncText, long nc, String uri) implements Result {
  }

  /**
   * The methods whose requests must carry credentials, and how we ask for them: false as the
   * registrar (401, WWW-Authenticate), true as the server they send through (407,
   * Proxy-Authenticate, RFC 3261 §22.3), as each method's handler calls {@link #withUser}.
   */
  static final Map<String, Boolean> CHALLENGED = Map.of(Request.REGISTER, false, Request.MESSAGE, true,
      Request.SUBSCRIBE, true, Request.PUBLISH, true);

  private final String realm;
  private final List<String> algorithms;
  private final NonceService nonces;
  private final NonceCounts counts;
  private final AuthFailures failures;
  private final SecurityLog security;
  private final Clock clock;
  private final UserStore users;
  private final DeviceStore devices;
  private final HeaderFactory headers;
  private final String[][] wwwTemplates;
  private final String[][] proxyTemplates;

  /**
   * @param counts nonce counts seen, for the nonces {@code nonces} issues
   * @param failures failed digests per source address
   * @param devices looked up by endpoint for device credentials: give a caching one
   */
  public DigestAuthenticator(String realm, List<String> algorithms, NonceService nonces, NonceCounts counts,
      AuthFailures failures, SecurityLog security, Clock clock, UserStore users, DeviceStore devices,
      HeaderFactory headers) {
    this.realm = realm;
    this.algorithms = List.copyOf(algorithms);
    this.nonces = nonces;
    this.counts = counts;
    this.failures = failures;
    this.security = security;
    this.clock = clock;
    this.users = users;
    this.devices = devices;
    this.headers = headers;
    this.wwwTemplates = templates(false);
    this.proxyTemplates = templates(true);
  }

  /**
   * Runs {@code action} for the authenticated user, or answers for it: 401/407 with fresh challenges
   * when credentials are missing, stale or replayed, 403 when they are wrong (or the source is
   * blocked), 400 when they were made for another request. Every method handler that needs a user
   * goes through here.
   *
   * @param proxy false for REGISTER (401, WWW-Authenticate), true for requests we relay (407)
   */
  public Future<SipOutcome> withUser(SipRequest req, boolean proxy, Function<User, Future<SipOutcome>> action) {
    return withCredentials(req, proxy, a -> action.apply(a.user()));
  }

  /** As {@link #withUser}, for handlers that want to know the device too (the registrar). */
  public Future<SipOutcome> withCredentials(SipRequest req, boolean proxy,
      Function<Authenticated, Future<SipOutcome>> action) {
    return authenticate(req, proxy).compose(result -> result instanceof Authenticated a ? action.apply(a)
        : Future.succeededFuture(refusal(result, proxy, req.method(), req.callId(), req.sourceHost(), req.sourcePort())));
  }

  /**
   * The answer to a request that can be given before any state exists, on the SIP stack's thread
   * that read it (thread-safe): for a method that must be authenticated ({@link #CHALLENGED}), a
   * request without usable credentials for our realm gets its 401/407 with fresh nonces, one from a
   * blocked source its 403, credentials made for another request their 400. A retransmission of
   * such a request is simply answered again (RFC 3261 allows a stateless UAS; Kamailio does this).
   *
   * @return null when the request needs the full check (its credentials against the store), or is
   *     not of a method we authenticate
   */
  public SipOutcome.Reply beforeTransaction(Request request, String sourceHost, int sourcePort) {
    Result early = screenBeforeTransaction(request, sourceHost, sourcePort);
    return early == null || early instanceof Screened ? null : answer(early, request, sourceHost, sourcePort);
  }

  /**
   * As {@link #beforeTransaction}, keeping what the screen found: null for a method we do not
   * authenticate, {@link Screened} credentials to check later (hand them on in the {@link SipRequest}),
   * else the answer to give now ({@link #answer}). Any thread.
   */
  public Result screenBeforeTransaction(Request request, String sourceHost, int sourcePort) {
    Boolean proxy = CHALLENGED.get(request.getMethod());
    return proxy == null ? null : screen(request, sourceHost, sourcePort, proxy);
  }

  /** The answer to a request {@link #screenBeforeTransaction} refused (anything but Screened). */
  public SipOutcome.Reply answer(Result refused, Request request, String sourceHost, int sourcePort) {
    String callId = request.getHeader(CallIdHeader.NAME) instanceof CallIdHeader c ? c.getCallId() : "?";
    return refusal(refused, CHALLENGED.getOrDefault(request.getMethod(), true), request.getMethod(), callId, sourceHost,
        sourcePort);
  }

  /** The answer for a result other than Authenticated. */
  private SipOutcome.Reply refusal(Result result, boolean proxy, String method, String callId, String host, int port) {
    if (result instanceof Challenge c) {
      return (SipOutcome.Reply) SipOutcome.reply(
          proxy ? Response.PROXY_AUTHENTICATION_REQUIRED : Response.UNAUTHORIZED, challenge(c.stale(), proxy));
    }
    if (result instanceof Forbidden f) {
      LOG.info("{} refused [call-id: {}, from: {}:{}]: {}", method, callId, host, port, f.reason());
      return (SipOutcome.Reply) SipOutcome.reply(Response.FORBIDDEN);
    }
    BadRequest b = (BadRequest) result;
    LOG.info("{} refused [call-id: {}, from: {}:{}]: {}", method, callId, host, port, b.reason());
    return (SipOutcome.Reply) SipOutcome.reply(Response.BAD_REQUEST, r -> reason(r, b.reason()));
  }

  private static void reason(Response response, String reason) {
    try {
      response.setReasonPhrase(reason);
    } catch (ParseException e) {
      LOG.debug("cannot set reason phrase {}", reason);
    }
  }

  /**
   * @param proxy true for requests we relay (MESSAGE): Proxy-Authorization, answered by 407
   *     (RFC 3261 §22.3), as phones expect from the server they send through
   */
  public Future<Result> authenticate(SipRequest req, boolean proxy) {
    Request request = req.request();
    // Screened already on the stack's thread (UDP): checked against the secret without a second screen.
    Result early = req.screened() != null && req.screened().proxy() == proxy ? req.screened()
        : screen(request, req.sourceHost(), req.sourcePort(), proxy);
    if (!(early instanceof Screened screened)) {
      return Future.succeededFuture(early);
    }
    AuthorizationHeader auth = screened.auth();
    String username = screened.username();
    String qop = screened.qop();
    String ncText = screened.ncText();
    long nc = screened.nc();
    Credentials given = new Credentials(screened.algorithm(), auth.getNonce(), ncText, auth.getCNonce(), qop,
        request.getMethod(), screened.uri(), request.getRawContent(), auth.getResponse());
    NonceService.Verdict verdict = nonces.check(auth.getNonce());
    return check(username, given).compose(found -> {
      if (found == null) {
        LOG.debug("digest rejected [user: {}]", username);
        return failed(req.method(), req.sourceHost(), req.sourcePort(), username, "wrong credentials",
            verdict == NonceService.Verdict.VALID ? new Forbidden("wrong credentials") : new Challenge(false));
      }
      if (verdict != NonceService.Verdict.VALID) {
        // Right credentials on an old nonce: stale=true lets the phone retry without asking anyone.
        return Future.succeededFuture(new Challenge(true));
      }
      NonceCounts.Use use = counts.use(auth.getNonce(), nonces.issuedAt(auth.getNonce()), nc, exchange(request),
          clock.millis());
      if (use == NonceCounts.Use.REPLAYED) {
        return failed(req.method(), req.sourceHost(), req.sourcePort(), username,
            "nonce count " + (ncText == null ? "(none)" : ncText) + " replayed", new Challenge(false));
      }
      if (use == NonceCounts.Use.FORGOTTEN) {
        return Future.succeededFuture(new Challenge(true));
      }
      if (use == NonceCounts.Use.RETRANSMITTED) {
        LOG.debug("{} retransmission authenticated again [call-id: {}, user: {}]", req.method(), req.callId(), username);
      }
      if (found.user().isEmpty() || !found.user().get().enabled()) {
        return Future.succeededFuture(new Forbidden("account disabled"));
      }
      return Future.succeededFuture(new Authenticated(found.user().get(), found.device()));
    });
  }

  /**
   * Everything about a request's credentials that can be decided without the store, so without
   * delay and on any thread: a blocked source, credentials missing or for another realm, an
   * algorithm or qop we did not offer, a malformed nonce count, a digest uri that is not the
   * Request-URI. The one place that decides which requests are challenged or refused before their
   * secret is looked at, for {@link #authenticate} and {@link #beforeTransaction} alike.
   *
   * @return {@link Screened} when the credentials must be checked against the user's or device's secret
   */
  private Result screen(Request request, String sourceHost, int sourcePort, boolean proxy) {
    if (failures.blocked(sourceHost)) {
      return new Forbidden("source blocked after repeated digest failures");
    }
    String method = request.getMethod();
    String headerName = proxy ? ProxyAuthorizationHeader.NAME : AuthorizationHeader.NAME;
    AuthorizationHeader auth = credentialsForOurRealm(request, headerName);
    if (auth == null) {
      AuthorizationHeader other = anyDigest(request, headerName);
      if (other != null) {
        return failedNow(method, sourceHost, sourcePort, other.getUsername(), "realm " + other.getRealm() + " is not ours",
            new Challenge(false));
      }
      return new Challenge(false);
    }
    String username = auth.getUsername();
    if (auth.getNonce() == null || auth.getResponse() == null || username == null) {
      return new Challenge(false);
    }
    String algorithm = algorithmOf(auth);
    if (!algorithms.contains(algorithm)) {
      return failedNow(method, sourceHost, sourcePort, username, "algorithm " + algorithm + " was not offered",
          new Challenge(false));
    }
    String qop = qopOf(auth);
    if (qop != null && !qop.equals("auth") && !qop.equals("auth-int")) {
      return failedNow(method, sourceHost, sourcePort, username, "qop " + qop + " is not supported", new Challenge(false));
    }
    long nc = qop == null ? NonceCounts.WITHOUT_QOP : nonceCount(param(auth, "nc"));
    if (qop != null && (nc < 1 || auth.getCNonce() == null)) {
      return failedNow(method, sourceHost, sourcePort, username, "nc or cnonce missing or malformed",
          new BadRequest("Bad digest nc or cnonce"));
    }
    String uri = param(auth, "uri");
    if (uri == null || !sameUri(auth.getURI(), request.getRequestURI(), uri)) {
      return failedNow(method, sourceHost, sourcePort, username, "digest uri is not the Request-URI",
          new BadRequest("Digest uri does not match the Request-URI"));
    }
    return new Screened(proxy, auth, username, algorithm, qop, param(auth, "nc"), nc, uri);
  }

  /**
   * What identifies one request, so that its retransmission is told from a replay of its
   * credentials: Call-ID, CSeq and top Via branch (RFC 3261 §17.2.3).
   */
  private static String exchange(Request request) {
    javax.sip.header.CSeqHeader cseq = (javax.sip.header.CSeqHeader) request.getHeader(javax.sip.header.CSeqHeader.NAME);
    javax.sip.header.ViaHeader via = (javax.sip.header.ViaHeader) request.getHeader(javax.sip.header.ViaHeader.NAME);
    CallIdHeader callId = (CallIdHeader) request.getHeader(CallIdHeader.NAME);
    return (callId == null ? "" : callId.getCallId()) + "\n" + (cseq == null ? "" : cseq.getSeqNumber() + " "
        + cseq.getMethod()) + "\n" + (via == null ? "" : via.getBranch());
  }

  private static String algorithmOf(AuthorizationHeader auth) {
    return auth.getAlgorithm() == null ? Digest.MD5 : auth.getAlgorithm().toUpperCase(Locale.ROOT);
  }

  private static String qopOf(AuthorizationHeader auth) {
    return auth.getQop() == null ? null : auth.getQop().toLowerCase(Locale.ROOT);
  }

  /** What the client sent, to recompute its response from. */
  private record Credentials(String algorithm, String nonce, String nc, String cnonce, String qop, String method,
      String uri, byte[] body, String response) {
  }

  /** Whose credentials these are, when they are right: the user (empty if gone) and the device, if a device's. */
  private record Match(Optional<User> user, Device device) {
  }

  /** The user or device whose secret produces the response given; a null match when none does. */
  private Future<Match> check(String username, Credentials given) {
    return users.find(username).compose(found -> {
      Optional<String> ha1 = found.map(u -> u.sipHa1().get(given.algorithm()));
      if (ha1.isPresent() && matches(ha1.get(), given)) {
        return Future.succeededFuture(new Match(found, null));
      }
      return devices.findByEndpoint(username).compose(device -> {
        Optional<Device> d = device.filter(x -> x.sipSecret() != null && x.kind().sipPhone());
        if (d.isEmpty() || !matches(Digest.ha1(given.algorithm(), username, realm, d.get().sipSecret()), given)) {
          return Future.succeededFuture((Match) null);
        }
        return users.find(d.get().username()).map(owner -> new Match(owner, d.get()));
      });
    });
  }

  private Future<Result> failed(String method, String host, int port, String who, String detail, Result result) {
    return Future.succeededFuture(failedNow(method, host, port, who, detail, result));
  }

  /** Reports a failed digest (never its response or nonce), counts it against the source, and answers {@code result}. */
  private Result failedNow(String method, String host, int port, String who, String detail, Result result) {
    String source = host + ":" + port;
    security.record(SecurityEvent.Kind.DIGEST_FAILED, who, source, method + ": " + detail);
    if (failures.failed(host)) {
      security.record(SecurityEvent.Kind.SOURCE_THROTTLED, who, source,
          "repeated digest failures: 403 without a digest check for a while");
    }
    return result;
  }

  private static boolean matches(String ha1, Credentials c) {
    String expected = Digest.response(c.algorithm(), ha1, c.nonce(), c.nc(), c.cnonce(), c.qop(), c.method(), c.uri(),
        c.body());
    return Digest.sameResponse(expected, c.response());
  }

  /** The parameter as the client wrote it (the digest is over the text, not a re-encoding). */
  private static String param(AuthorizationHeader auth, String name) {
    return auth.getParameter(name);
  }

  /** RFC 7616: nc is 8 hex digits; -1 when absent or malformed. */
  private static long nonceCount(String nc) {
    if (nc == null || nc.length() != 8) {
      return -1;
    }
    for (int i = 0; i < 8; i++) {
      char c = nc.charAt(i);
      if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F')) {
        return -1;
      }
    }
    return Long.parseLong(nc, 16);
  }

  /** The digest uri names the Request-URI: the same text, or equal as SIP URIs (RFC 3261 §19.1.4). */
  private static boolean sameUri(URI parsed, URI requestUri, String text) {
    return text.equals(requestUri.toString()) || (parsed != null && parsed.equals(requestUri));
  }

  private AuthorizationHeader credentialsForOurRealm(Request request, String headerName) {
    ListIterator<?> it = request.getHeaders(headerName);
    while (it.hasNext()) {
      AuthorizationHeader h = (AuthorizationHeader) it.next();
      if ("Digest".equalsIgnoreCase(h.getScheme()) && realm.equalsIgnoreCase(h.getRealm())) {
        return h;
      }
    }
    return null;
  }

  private static AuthorizationHeader anyDigest(Request request, String headerName) {
    ListIterator<?> it = request.getHeaders(headerName);
    while (it.hasNext()) {
      AuthorizationHeader h = (AuthorizationHeader) it.next();
      if ("Digest".equalsIgnoreCase(h.getScheme()) && h.getResponse() != null) {
        return h;
      }
    }
    return null;
  }

  /** Adds one WWW-Authenticate per configured algorithm, in the configured order (RFC 8760 §2.4). */
  public Consumer<Response> challenge(boolean stale) {
    return challenge(stale, false);
  }

  /**
   * @param proxy Proxy-Authenticate (for a 407) instead of WWW-Authenticate (for a 401); the nonces
   *     are those of the response's exchange ({@link NonceService#issue(String)}), so that the
   *     challenge to a retransmission is the same response
   */
  public Consumer<Response> challenge(boolean stale, boolean proxy) {
    return response -> {
      String exchange = exchange(response);
      for (String algorithm : algorithms) {
        try {
          WWWAuthenticateHeader h = proxy ? headers.createProxyAuthenticateHeader("Digest")
              : headers.createWWWAuthenticateHeader("Digest");
          h.setRealm(realm);
          h.setNonce(nonces.issue(exchange + "\n" + algorithm));
          h.setAlgorithm(algorithm);
          h.setQop("auth");
          if (stale) {
            h.setStale(true);
          }
          response.addHeader(h);
        } catch (ParseException e) {
          throw new IllegalStateException(e);
        }
      }
    };
  }

  /** What identifies the request a response answers: Call-ID, From tag, CSeq and top Via branch, as copied into it. */
  private static String exchange(Response response) {
    javax.sip.header.FromHeader from = (javax.sip.header.FromHeader) response.getHeader(javax.sip.header.FromHeader.NAME);
    javax.sip.header.CSeqHeader cseq = (javax.sip.header.CSeqHeader) response.getHeader(javax.sip.header.CSeqHeader.NAME);
    javax.sip.header.ViaHeader via = (javax.sip.header.ViaHeader) response.getHeader(javax.sip.header.ViaHeader.NAME);
    CallIdHeader callId = (CallIdHeader) response.getHeader(CallIdHeader.NAME);
    return (callId == null ? "" : callId.getCallId()) + "\n" + (from == null ? "" : from.getTag()) + "\n"
        + (cseq == null ? "" : cseq.getSeqNumber() + " " + cseq.getMethod()) + "\n" + (via == null ? "" : via.getBranch());
  }

  /** As {@link #exchange(Response)}, from a request's values read without the stack ({@link RawChallenges}). */
  static String exchange(String callId, String fromTag, long cseq, String method, String branch) {
    return callId + "\n" + fromTag + "\n" + cseq + " " + method + "\n" + branch;
  }

  /** Whether a source is refused without a digest check now (too many failed digests). */
  boolean blocked(String sourceHost) {
    return failures.blocked(sourceHost);
  }

  /**
   * The header lines {@link #challenge(boolean, boolean)} adds to a fresh (not stale) challenge, as
   * the stack encodes them, each ending in CRLF: for answers encoded without the stack
   * ({@link RawChallenges}). The same nonces for the same exchange.
   */
  String challengeLines(String exchange, boolean proxy) {
    String[][] templates = proxy ? proxyTemplates : wwwTemplates;
    StringBuilder out = new StringBuilder(160 * templates.length);
    for (int i = 0; i < templates.length; i++) {
      out.append(templates[i][0]).append(nonces.issue(exchange + "\n" + algorithms.get(i))).append(templates[i][1]);
    }
    return out.toString();
  }

  /** Per algorithm, the header line before and after its nonce, encoded by the stack once. */
  private String[][] templates(boolean proxy) {
    String placeholder = "N0NCE";
    String[][] out = new String[algorithms.size()][];
    for (int i = 0; i < algorithms.size(); i++) {
      try {
        WWWAuthenticateHeader h = proxy ? headers.createProxyAuthenticateHeader("Digest")
            : headers.createWWWAuthenticateHeader("Digest");
        h.setRealm(realm);
        h.setNonce(placeholder);
        h.setAlgorithm(algorithms.get(i));
        h.setQop("auth");
        String line = h.toString();
        int at = line.indexOf(placeholder);
        out[i] = new String[] {line.substring(0, at), line.substring(at + placeholder.length())};
      } catch (ParseException e) {
        throw new IllegalStateException(e);
      }
    }
    return out;
  }
}
