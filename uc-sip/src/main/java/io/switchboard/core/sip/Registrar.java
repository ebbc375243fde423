package io.switchboard.core.sip;

import io.switchboard.api.RegistrationEvent;
import io.switchboard.core.config.SwitchboardConfig;
import io.switchboard.core.model.Device;
import io.switchboard.core.model.User;
import io.switchboard.core.store.UserStore;
import io.vertx.core.Future;
import java.text.ParseException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Calendar;
import java.util.List;
import java.util.ListIterator;
import java.util.Locale;
import java.util.Map;
import java.util.TimeZone;
import java.util.concurrent.ConcurrentHashMap;
import javax.sip.InvalidArgumentException;
import javax.sip.address.SipURI;
import javax.sip.address.URI;
import javax.sip.header.AcceptHeader;
import javax.sip.header.AuthorizationHeader;
import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ContactHeader;
import javax.sip.header.ExpiresHeader;
import javax.sip.header.ToHeader;
import javax.sip.header.UserAgentHeader;
import javax.sip.header.ViaHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The REGISTER handler: a registrar as RFC 3261 §10.3 describes it, step by step, over the
 * {@link LocationService}. Authentication comes first (the user's own credentials, or a provisioned
 * device's, which register the device's owner and mark the binding as that device's); then the
 * address-of-record in To must be the authenticated user's (by username or extension); then each
 * Contact is added, refreshed or removed. The REGISTERs of one address of record are handled one
 * after the other, in the order they arrived (their CSeq order, RFC 3261 §10.3 step 7), so that a
 * refresh cannot overtake the REGISTER before it on the way to the store; different addresses run
 * in parallel, on several SIP contexts ({@link SipAffinity#TO_USER}).
 *
 * <p>Over UDP a REGISTER gets no server transaction ({@link SipEdge#handleWithoutTransaction}): a
 * transaction lingers 32 s after its answer (Timer J), which at thousands of REGISTERs a second
 * fills the stack's table, while the registrar already keeps what it needs. So the registrar
 * recognises a retransmission itself: the same Call-ID, CSeq, Via branch and credentials as the
 * last REGISTER of that address of record, within {@link #RETRANSMISSION_WINDOW_MILLIS}, gets that
 * REGISTER's answer again (waiting for it if still in progress), rather than being handled anew,
 * where its spent nonce count would be challenged and its CSeq refused (RFC 3261 §10.3 step 7 is
 * about a different request with a lower CSeq).
 */
public final class Registrar implements SipRequestHandler {

  private static final Logger LOG = LoggerFactory.getLogger(Registrar.class);

  private final SwitchboardConfig.Sip config;
  private final DigestAuthenticator authenticator;
  private final UserStore users;
  private final LocationService location;
  private final SipFactories factories;
  private final Clock clock;
  /** Per address of record (To user), the REGISTER handled last: the next one waits for it. */
  private final Map<String, Future<SipOutcome>> inOrder = new ConcurrentHashMap<>();

  /** How long a retransmission gets the answer again: a UDP client transaction's lifetime (64 × T1). */
  static final long RETRANSMISSION_WINDOW_MILLIS = 32_000;

  /** A REGISTER received without a transaction, and its answer. */
  private record Answered(String callId, long cseq, String branch, String credentials, long atMillis,
      Future<SipOutcome> outcome) {

    boolean answers(Answered again) {
      return cseq == again.cseq && callId.equals(again.callId) && java.util.Objects.equals(branch, again.branch)
          && java.util.Objects.equals(credentials, again.credentials);
    }
  }

  /** Per address of record, the last REGISTER received without a transaction; old ones are purged once a second. */
  private final Map<String, Answered> lastAnswered = new ConcurrentHashMap<>();
  private final java.util.concurrent.atomic.AtomicLong lastPurge = new java.util.concurrent.atomic.AtomicLong();

  public Registrar(SwitchboardConfig.Sip config, DigestAuthenticator authenticator, UserStore users,
      LocationService location, SipFactories factories, Clock clock) {
    this.config = config;
    this.authenticator = authenticator;
    this.users = users;
    this.location = location;
    this.factories = factories;
    this.clock = clock;
  }

  @Override
  public Future<SipOutcome> handle(SipRequest req) {
    String aor = SipAffinity.TO_USER.key(req);
    Answered received = req.transaction() == null ? received(req) : null;
    if (received != null) {
      Answered last = lastAnswered.get(aor);
      if (last != null && last.answers(received) && received.atMillis() - last.atMillis() <= RETRANSMISSION_WINDOW_MILLIS) {
        LOG.debug("REGISTER retransmission answered again [call-id: {}, cseq: {}]", received.callId(), received.cseq());
        return last.outcome();
      }
    }
    Future<SipOutcome> next = inOrder.compute(aor, (k, previous) -> previous == null ? handleNow(req)
        : previous.transform(ignored -> handleNow(req)));
    next.onComplete(r -> inOrder.remove(aor, next));
    if (received != null) {
      lastAnswered.put(aor, new Answered(received.callId(), received.cseq(), received.branch(), received.credentials(),
          received.atMillis(), next));
      purgeAnswered(received.atMillis());
    }
    return next;
  }

  /** What identifies a REGISTER as a retransmission of another (its answer still to come). */
  private Answered received(SipRequest req) {
    Request r = req.request();
    ViaHeader via = (ViaHeader) r.getHeader(ViaHeader.NAME);
    javax.sip.header.Header credentials = r.getHeader(AuthorizationHeader.NAME);
    return new Answered(req.callId(), ((CSeqHeader) r.getHeader(CSeqHeader.NAME)).getSeqNumber(),
        via == null ? null : via.getBranch(), credentials == null ? null : credentials.toString(), clock.millis(), null);
  }

  private void purgeAnswered(long now) {
    long last = lastPurge.get();
    if (now - last >= 1000 && lastPurge.compareAndSet(last, now)) {
      lastAnswered.values().removeIf(a -> now - a.atMillis() > RETRANSMISSION_WINDOW_MILLIS);
    }
  }

  private Future<SipOutcome> handleNow(SipRequest req) {
    long mark = location.mark(); // before the user is read: a disable from now on wins
    try {
      return authenticator.withCredentials(req, false, a -> register(req, a.user(), a.device(), mark));
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  /** @param device the provisioned device whose credentials were given; null for the user's own */
  private Future<SipOutcome> register(SipRequest req, User user, Device device, long mark) {
    Request r = req.request();
    URI toUri = ((ToHeader) r.getHeader(ToHeader.NAME)).getAddress().getURI();
    if (!(toUri instanceof SipURI sipTo) || sipTo.getUser() == null) {
      return Future.succeededFuture(SipOutcome.reply(Response.NOT_FOUND));
    }
    return users.findByUsernameOrExtension(sipTo.getUser()).compose(aor -> {
      if (aor.isEmpty()) {
        return Future.succeededFuture(SipOutcome.reply(Response.NOT_FOUND));
      }
      if (!aor.get().username().equals(user.username())) {
        LOG.info("REGISTER refused [call-id: {}, user: {}, aor: {}]: third-party registration", req.callId(),
            user.username(), sipTo.getUser());
        return Future.succeededFuture(SipOutcome.reply(Response.FORBIDDEN));
      }
      // Right after start the user's stored bindings may still be on their way: read theirs first.
      return location.loaded(user.username())
          .compose(v -> updateBindings(req, user.username(), device == null ? null : device.id(), mark));
    });
  }

  private Future<SipOutcome> updateBindings(SipRequest req, String username, String deviceId, long mark) {
    Request r = req.request();
    List<ContactHeader> contacts = new ArrayList<>();
    ListIterator<?> it = r.getHeaders(ContactHeader.NAME);
    while (it.hasNext()) {
      contacts.add((ContactHeader) it.next());
    }
    ExpiresHeader expiresHeader = r.getExpires();
    String callId = ((CallIdHeader) r.getHeader(CallIdHeader.NAME)).getCallId();
    long cseq = ((CSeqHeader) r.getHeader(CSeqHeader.NAME)).getSeqNumber();

    if (contacts.isEmpty()) {
      return Future.succeededFuture(ok(username));
    }
    if (contacts.stream().anyMatch(ContactHeader::isWildCard)) {
      if (contacts.size() != 1 || expiresHeader == null || expiresHeader.getExpires() != 0) {
        return Future.succeededFuture(SipOutcome.reply(Response.BAD_REQUEST));
      }
      return location.removeAll(username, RegistrationEvent.Change.UNREGISTERED).map(v -> ok(username));
    }

    Instant now = clock.instant();
    List<Future<Void>> changes = new ArrayList<>();
    List<Binding> toStore = new ArrayList<>();
    List<String> toRemove = new ArrayList<>();
    String userAgent = r.getHeader(UserAgentHeader.NAME) == null ? null
        : String.join(" ", iterable(((UserAgentHeader) r.getHeader(UserAgentHeader.NAME)).getProduct()));
    List<String> accept = acceptedTypes(r);
    for (ContactHeader contact : contacts) {
      int expires = contact.getExpires() >= 0 ? contact.getExpires()
          : expiresHeader != null ? expiresHeader.getExpires() : config.defaultExpires();
      if (expires > 0 && expires < config.minExpires()) {
        return Future.succeededFuture(SipOutcome.reply(Response.INTERVAL_TOO_BRIEF, resp -> {
          try {
            resp.addHeader(factories.headers().createMinExpiresHeader(config.minExpires()));
          } catch (InvalidArgumentException e) {
            throw new IllegalStateException(e);
          }
        }));
      }
      expires = Math.min(expires, config.maxExpires());
      String uri = contact.getAddress().getURI().toString();
      String instance = contact.getParameter("+sip.instance");
      String key = instance != null ? instance : uri;
      Binding existing = location.find(username, key);
      if (existing != null && existing.callId().equals(callId) && cseq <= existing.cseq()) {
        LOG.debug("REGISTER out of order [call-id: {}, cseq: {} <= {}]", callId, cseq, existing.cseq());
        return Future.succeededFuture(SipOutcome.reply(Response.SERVER_INTERNAL_ERROR));
      }
      if (expires == 0) {
        toRemove.add(key);
      } else {
        float q = contact.getQValue() < 0 ? 1f : contact.getQValue();
        toStore.add(new Binding(username, key, uri, now.plusSeconds(expires), callId, cseq, q, userAgent, accept,
            req.transport(), req.sourceHost() + ":" + req.sourcePort(), deviceId));
      }
    }
    List<Future<Boolean>> kept = toStore.stream().map(b -> location.put(b, mark)).toList();
    toRemove.forEach(k -> changes.add(location.remove(username, k, RegistrationEvent.Change.UNREGISTERED)));
    return Future.all(kept).compose(v -> Future.all(changes)).map(v -> {
      if (kept.stream().anyMatch(k -> !k.result())) {
        LOG.info("REGISTER refused [call-id: {}, user: {}]: disabled or deleted while it was handled", req.callId(),
            username);
        return SipOutcome.reply(Response.FORBIDDEN);
      }
      return ok(username);
    });
  }

  /** 200 OK listing every current binding with its remaining time (RFC 3261 §10.3 step 8). */
  private SipOutcome ok(String username) {
    List<Binding> current = location.bindings(username);
    Instant now = clock.instant();
    return SipOutcome.reply(Response.OK, resp -> {
      try {
        for (Binding b : current) {
          ContactHeader h = factories.headers().createContactHeader(factories.addresses().createAddress(b.contact()));
          h.setExpires((int) b.remainingSeconds(now));
          resp.addHeader(h);
        }
        resp.addHeader(date());
      } catch (ParseException | InvalidArgumentException e) {
        throw new IllegalStateException(e);
      }
    });
  }

  /** A Date header made in one second, shared by that second's 200s as copies. */
  private record Dated(long second, javax.sip.header.DateHeader header) {
  }

  private volatile Dated dated = new Dated(-1, null);

  /**
   * The Date header (RFC 3261 §10.3 step 8, to the second): made once a second and cloned per 200;
   * making one (a GMT calendar, twice over inside JAIN-SIP) cost about 4 % of a REGISTER's CPU.
   */
  private javax.sip.header.Header date() {
    long second = clock.millis() / 1000;
    Dated d = dated;
    if (d.second() != second) {
      Calendar now = Calendar.getInstance(TimeZone.getTimeZone("GMT"), Locale.ROOT);
      now.setTimeInMillis(second * 1000);
      d = new Dated(second, factories.headers().createDateHeader(now));
      dated = d;
    }
    return (javax.sip.header.Header) d.header().clone();
  }

  private static List<String> acceptedTypes(Request r) {
    List<String> out = new ArrayList<>();
    ListIterator<?> it = r.getHeaders(AcceptHeader.NAME);
    while (it.hasNext()) {
      AcceptHeader a = (AcceptHeader) it.next();
      if (a.getContentType() != null && a.getContentSubType() != null) {
        out.add((a.getContentType() + "/" + a.getContentSubType()).toLowerCase(Locale.ROOT));
      }
    }
    return out;
  }

  private static Iterable<String> iterable(ListIterator<?> it) {
    List<String> out = new ArrayList<>();
    it.forEachRemaining(o -> out.add(String.valueOf(o)));
    return out;
  }
}
