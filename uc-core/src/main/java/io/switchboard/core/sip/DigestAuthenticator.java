package io.switchboard.core.sip;

import io.switchboard.core.model.Device;
import io.switchboard.core.model.User;
import io.switchboard.core.security.Digest;
import io.switchboard.core.store.DeviceStore;
import io.switchboard.core.store.UserStore;
import io.vertx.core.Future;
import java.text.ParseException;
import java.util.List;
import java.util.ListIterator;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import javax.sip.header.AuthorizationHeader;
import javax.sip.header.HeaderFactory;
import javax.sip.header.ProxyAuthorizationHeader;
import javax.sip.header.WWWAuthenticateHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Digest authentication of SIP requests (RFC 3261 §22.4, RFC 8760 for SHA-256), as a UAS that
 * answers 401. The realm is the SIP domain. The digest username is either the Switchboard username
 * (checked against the user's HA1s, from their {@code sipPassword}) or a provisioned device's endpoint
 * name (checked against that device's SIP secret, the one its phone file carries): both authenticate
 * the user, the second also names the device. Endpoints are unique; the user's own credentials are
 * tried first when a username and an endpoint are spelt alike.
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

  private final String realm;
  private final List<String> algorithms;
  private final NonceService nonces;
  private final UserStore users;
  private final DeviceStore devices;
  private final HeaderFactory headers;

  /** @param devices looked up by endpoint for device credentials: give a caching one */
  public DigestAuthenticator(String realm, List<String> algorithms, NonceService nonces, UserStore users,
      DeviceStore devices, HeaderFactory headers) {
    this.realm = realm;
    this.algorithms = List.copyOf(algorithms);
    this.nonces = nonces;
    this.users = users;
    this.devices = devices;
    this.headers = headers;
  }

  /**
   * Runs {@code action} for the authenticated user, or answers for it: 401/407 with fresh challenges
   * when credentials are missing or stale, 403 when they are wrong. Every method handler that needs
   * a user goes through here.
   *
   * @param proxy false for REGISTER (401, WWW-Authenticate), true for requests we relay (407)
   */
  public Future<SipOutcome> withUser(SipRequest req, boolean proxy, Function<User, Future<SipOutcome>> action) {
    return withCredentials(req, proxy, a -> action.apply(a.user()));
  }

  /** As {@link #withUser}, for handlers that want to know the device too (the registrar). */
  public Future<SipOutcome> withCredentials(SipRequest req, boolean proxy,
      Function<Authenticated, Future<SipOutcome>> action) {
    return authenticate(req.request(), proxy).compose(result -> {
      if (result instanceof Challenge c) {
        return Future.succeededFuture(SipOutcome.reply(
            proxy ? Response.PROXY_AUTHENTICATION_REQUIRED : Response.UNAUTHORIZED, challenge(c.stale(), proxy)));
      }
      if (result instanceof Forbidden f) {
        LOG.info("{} refused [call-id: {}, from: {}:{}]: {}", req.method(), req.callId(), req.sourceHost(),
            req.sourcePort(), f.reason());
        return Future.succeededFuture(SipOutcome.reply(Response.FORBIDDEN));
      }
      return action.apply((Authenticated) result);
    });
  }

  /** A registrar's authentication: Authorization answered by 401 and WWW-Authenticate. */
  public Future<Result> authenticate(Request request) {
    return authenticate(request, false);
  }

  /**
   * @param proxy true for requests we relay (MESSAGE): Proxy-Authorization, answered by 407
   *     (RFC 3261 §22.3), as phones expect from the server they send through
   */
  public Future<Result> authenticate(Request request, boolean proxy) {
    AuthorizationHeader auth = credentialsForOurRealm(request, proxy ? ProxyAuthorizationHeader.NAME : AuthorizationHeader.NAME);
    if (auth == null || auth.getNonce() == null || auth.getResponse() == null || auth.getUsername() == null) {
      return Future.succeededFuture(new Challenge(false));
    }
    String algorithm = auth.getAlgorithm() == null ? Digest.MD5 : auth.getAlgorithm().toUpperCase(Locale.ROOT);
    if (!algorithms.contains(algorithm)) {
      return Future.succeededFuture(new Challenge(false));
    }
    String qop = auth.getQop();
    if (qop != null && !qop.equalsIgnoreCase("auth")) {
      return Future.succeededFuture(new Challenge(false));
    }
    NonceService.Verdict verdict = nonces.check(auth.getNonce());
    String username = auth.getUsername();
    String method = request.getMethod();
    return users.find(username).compose(found -> {
      Optional<String> ha1 = found.map(u -> u.sipHa1().get(algorithm));
      if (ha1.isPresent() && matches(ha1.get(), algorithm, auth, method)) {
        return Future.succeededFuture(verdict(verdict, true, found, null));
      }
      return devices.findByEndpoint(username).compose(device -> {
        Optional<Device> d = device.filter(x -> x.sipSecret() != null && x.kind().sipPhone());
        boolean correct = d.isPresent()
            && matches(Digest.ha1(algorithm, username, realm, d.get().sipSecret()), algorithm, auth, method);
        if (!correct) {
          LOG.debug("digest rejected [user: {}, known: {}]", username, found.isPresent() || d.isPresent());
          return Future.succeededFuture(verdict(verdict, false, found, null));
        }
        return users.find(d.get().username()).map(owner -> verdict(verdict, true, owner, d.get()));
      });
    });
  }

  /** What right or wrong credentials on this nonce mean for the user (and device) they name. */
  private static Result verdict(NonceService.Verdict nonce, boolean correct, Optional<User> user, Device device) {
    if (nonce != NonceService.Verdict.VALID) {
      // Right credentials on an old nonce: stale=true lets the phone retry without asking anyone.
      return new Challenge(correct);
    }
    if (!correct) {
      return new Forbidden("wrong credentials");
    }
    if (user.isEmpty() || !user.get().enabled()) {
      return new Forbidden("account disabled");
    }
    return new Authenticated(user.get(), device);
  }

  private static boolean matches(String ha1, String algorithm, AuthorizationHeader auth, String method) {
    return expected(ha1, algorithm, auth, method).equalsIgnoreCase(auth.getResponse());
  }

  private static String expected(String ha1, String algorithm, AuthorizationHeader auth, String method) {
    String uri = auth.getURI() == null ? "" : auth.getURI().toString();
    String nc = auth.getNonceCount() < 0 ? null : String.format("%08x", auth.getNonceCount());
    return Digest.response(algorithm, ha1, auth.getNonce(), nc, auth.getCNonce(), auth.getQop(), method, uri);
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

  /** Adds one WWW-Authenticate per configured algorithm, in the configured order (RFC 8760 §2.4). */
  public Consumer<Response> challenge(boolean stale) {
    return challenge(stale, false);
  }

  /** @param proxy Proxy-Authenticate (for a 407) instead of WWW-Authenticate (for a 401) */
  public Consumer<Response> challenge(boolean stale, boolean proxy) {
    return response -> {
      for (String algorithm : algorithms) {
        try {
          WWWAuthenticateHeader h = proxy ? headers.createProxyAuthenticateHeader("Digest")
              : headers.createWWWAuthenticateHeader("Digest");
          h.setRealm(realm);
          h.setNonce(nonces.issue());
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
}
