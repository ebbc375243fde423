package io.switchboard.presence;

import io.switchboard.api.SecurityEvent;
import io.switchboard.core.config.SwitchboardConfig;
import io.switchboard.core.model.User;
import io.switchboard.core.security.SecurityLog;
import io.switchboard.core.sip.DigestAuthenticator;
import io.switchboard.core.sip.SipEdge;
import io.switchboard.core.sip.SipOutcome;
import io.switchboard.core.sip.SipRequest;
import io.switchboard.core.sip.SipRequestHandler;
import io.switchboard.core.sip.SipTags;
import io.switchboard.core.store.UserStore;
import io.vertx.core.Future;
import java.text.ParseException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.ListIterator;
import java.util.Locale;
import java.util.Map;
import javax.sip.InvalidArgumentException;
import javax.sip.address.SipURI;
import javax.sip.header.AcceptHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ContactHeader;
import javax.sip.header.EventHeader;
import javax.sip.header.ExpiresHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.RecordRouteHeader;
import javax.sip.header.SupportedHeader;
import javax.sip.header.ToHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;

/**
 * SUBSCRIBE for presence (RFC 3856), watcher info (RFC 3857) and dialog (RFC 4235), over RFC 6665. New
 * subscriptions are
 * authorized by the presentity's rules (200 active, 202 pending, 403); in-dialog ones refresh or
 * end (Expires: 0). Every accepted SUBSCRIBE is followed by a NOTIFY once its answer is on the wire.
 */
final class SubscribeHandler implements SipRequestHandler {

  private final PresenceService presence;
  private final SwitchboardConfig.Presence config;
  private final UserStore users;
  private final DigestAuthenticator authenticator;
  private final SipEdge edge;
  private final Clock clock;
  private final SecurityLog security;
  private final WatcherDevices devices;

  SubscribeHandler(PresenceService presence, SwitchboardConfig.Presence config, UserStore users,
      DigestAuthenticator authenticator, SipEdge edge, Clock clock, SecurityLog security, WatcherDevices devices) {
    this.presence = presence;
    this.config = config;
    this.users = users;
    this.authenticator = authenticator;
    this.edge = edge;
    this.clock = clock;
    this.security = security;
    this.devices = devices;
  }

  @Override
  public Future<SipOutcome> handle(SipRequest req) {
    EventHeader event = (EventHeader) req.request().getHeader(EventHeader.NAME);
    EventPackage pkg = event == null ? null : EventPackage.of(event.getEventType());
    if (pkg == null) {
      return done(SipOutcome.reply(Response.BAD_EVENT, r -> header(r, () -> edge.factories().headers()
          .createAllowEventsHeader(EventPackage.allowEvents()))));
    }
    return authenticator.withUser(req, true, watcher -> subscribe(req, watcher, event, pkg));
  }

  private Future<SipOutcome> subscribe(SipRequest req, User watcher, EventHeader event, EventPackage pkg) {
    Request r = req.request();
    ExpiresHeader expiresHeader = r.getExpires();
    int expires = expiresHeader == null ? config.defaultExpires() : expiresHeader.getExpires();
    if (expires > 0 && expires < config.minExpires()) {
      return done(SipOutcome.reply(Response.INTERVAL_TOO_BRIEF, resp -> header(resp,
          () -> edge.factories().headers().createMinExpiresHeader(config.minExpires()))));
    }
    int granted = Math.min(expires, config.maxExpires());
    String toTag = ((ToHeader) r.getHeader(ToHeader.NAME)).getTag();
    String callId = ((CallIdHeader) r.getHeader(CallIdHeader.NAME)).getCallId();
    if (toTag != null) {
      ListSubscription list = presence.findList(callId, toTag);
      return done(list != null ? inDialogList(list, watcher, granted)
          : inDialog(presence.find(callId, toTag), watcher, granted));
    }
    List<BuddyListUri> lists = pkg == EventPackage.WINFO ? List.of()
        : BuddyListUri.candidates(config.listUriPattern(), target(r));
    if (!lists.isEmpty()) {
      return listOwner(lists, 0).compose(owner -> owner == null ? subscribeOne(req, watcher, event, pkg, granted)
          : subscribeList(req, watcher, event, pkg, granted, owner.getKey(), owner.getValue()));
    }
    return subscribeOne(req, watcher, event, pkg, granted);
  }

  /** A SUBSCRIBE to one presentity (not a list). */
  private Future<SipOutcome> subscribeOne(SipRequest req, User watcher, EventHeader event, EventPackage pkg,
      int granted) {
    Request r = req.request();
    if (pkg == EventPackage.PRESENCE) {
      // The device's profile, where provisioning has one for this phone, chooses; else the Accept.
      return devices.presenceTypes(watcher.username(), req.sourceHost() + ":" + req.sourcePort()).compose(profile -> {
        PresenceFormat format = PresenceFormat.choose(profile.isEmpty() ? acceptList(r) : profile);
        return format == null ? done(SipOutcome.reply(Response.NOT_ACCEPTABLE))
            : subscribeNew(req, watcher, event, pkg, format, granted);
      });
    }
    if (!accepts(r, pkg)) {
      return done(SipOutcome.reply(Response.NOT_ACCEPTABLE));
    }
    return subscribeNew(req, watcher, event, pkg, null, granted);
  }

  /** @param format the presence document its NOTIFYs carry; null for the other packages */
  private Future<SipOutcome> subscribeNew(SipRequest req, User watcher, EventHeader event, EventPackage pkg,
      PresenceFormat format, int granted) {
    Request r = req.request();
    String callId = ((CallIdHeader) r.getHeader(CallIdHeader.NAME)).getCallId();
    ContactHeader contact = (ContactHeader) r.getHeader(ContactHeader.NAME);
    String target = target(r);
    if (contact == null || target == null) {
      return done(SipOutcome.reply(Response.BAD_REQUEST));
    }
    return users.findByUsernameOrExtension(target).compose(found -> {
      if (found.isEmpty() || !found.get().enabled()) {
        return done(SipOutcome.reply(Response.NOT_FOUND));
      }
      String presentity = found.get().username();
      if (pkg == EventPackage.WINFO && !presentity.equals(watcher.username())) {
        return done(SipOutcome.reply(Response.FORBIDDEN)); // only one's own watchers (RFC 3857 §5.2)
      }
      // Right after start the presentity's profile and bindings may still be on their way: theirs first.
      return presence.ready(presentity).compose(v -> decided(req, watcher, presentity, contact, callId, event, pkg,
          format, granted));
    });
  }

  private Future<SipOutcome> decided(SipRequest req, User watcher, String presentity, ContactHeader contact,
      String callId, EventHeader event, EventPackage pkg, PresenceFormat format, int granted) {
    Rule.Action action = presence.decide(presentity, watcher.username());
    if (action == Rule.Action.BLOCK) {
      // Once per authenticated attempt: a retransmission is absorbed by its transaction, a challenge never gets here.
      security.record(SecurityEvent.Kind.WATCHER_BLOCKED, watcher.username(), req.sourceHost() + ":" + req.sourcePort(),
          presentity);
      return done(SipOutcome.reply(Response.FORBIDDEN));
    }
    boolean pending = action == Rule.Action.CONFIRM;
    Future<?> noted = pending
        ? presence.update(presentity, p -> p.withPending(watcher.username(), clock.instant()))
        : Future.succeededFuture();
    return noted.map(x -> create(req, watcher, presentity, contact, callId, event, pkg, format, granted, pending));
  }

  private SipOutcome create(SipRequest req, User watcher, String presentity, ContactHeader contact, String callId,
      EventHeader event, EventPackage pkg, PresenceFormat format, int granted, boolean pending) {
    Request r = req.request();
    String localTag = SipTags.newTag();
    if (granted == 0) {
      // A fetch (RFC 6665 §4.4.3): one NOTIFY with the state, terminated, and no subscription kept.
      Subscription fetch = subscription(req, watcher, presentity, contact, callId, event, pkg, format, localTag, pending,
          0);
      return SipOutcome.reply(pending ? Response.ACCEPTED : Response.OK, resp -> answer(resp, localTag, 0, req.transport()),
          () -> presence.terminate(fetch, "timeout"));
    }
    Subscription s = subscription(req, watcher, presentity, contact, callId, event, pkg, format, localTag, pending,
        granted);
    return SipOutcome.reply(pending ? Response.ACCEPTED : Response.OK, resp -> answer(resp, localTag, granted, req.transport()), () -> {
      presence.add(s);
      presence.notifyCurrent(s, true);
    });
  }

  private Subscription subscription(SipRequest req, User watcher, String presentity, ContactHeader contact,
      String callId, EventHeader event, EventPackage pkg, PresenceFormat format, String localTag, boolean pending,
      int granted) {
    Request r = req.request();
    List<String> routeSet = new ArrayList<>();
    ListIterator<?> rr = r.getHeaders(RecordRouteHeader.NAME);
    while (rr.hasNext()) {
      routeSet.add(((RecordRouteHeader) rr.next()).getAddress().toString());
    }
    FromHeader from = (FromHeader) r.getHeader(FromHeader.NAME);
    return new Subscription(callId, localTag, from.getTag(), watcher.username(), presentity, presence.uriOf(presentity),
        from.getAddress().getURI().toString(), contact.getAddress().getURI().toString(), routeSet, req.transport(),
        req.sourceHost() + ":" + req.sourcePort(), event.getEventId(), pkg, format,
        pending ? Subscription.State.PENDING : Subscription.State.ACTIVE, clock.instant().plusSeconds(granted));
  }

  // ---- buddy lists (RFC 4662) ---------------------------------------------------------------------

  /** The first reading of a list URI whose owner is an enabled user, with that user; null when none is. */
  private Future<Map.Entry<User, BuddyListUri>> listOwner(List<BuddyListUri> candidates, int i) {
    if (i >= candidates.size()) {
      return Future.succeededFuture();
    }
    BuddyListUri c = candidates.get(i);
    return users.findByUsernameOrExtension(c.owner()).compose(found -> found.isPresent() && found.get().enabled()
        ? Future.succeededFuture(Map.entry(found.get(), c)) : listOwner(candidates, i + 1));
  }

  /**
   * A SUBSCRIBE to a buddy list: only with {@code Supported: eventlist} (else 421, RFC 4662 §5.1),
   * only by its owner (else 403), to the whole list or a group that exists (else 404).
   */
  private Future<SipOutcome> subscribeList(SipRequest req, User watcher, EventHeader event, EventPackage pkg,
      int granted, User owner, BuddyListUri list) {
    Request r = req.request();
    if (!supportsEventlist(r)) {
      return done(SipOutcome.reply(Response.EXTENSION_REQUIRED, resp -> header(resp,
          () -> edge.factories().headers().createRequireHeader("eventlist"))));
    }
    if (!owner.username().equals(watcher.username())) {
      return done(SipOutcome.reply(Response.FORBIDDEN)); // one's own buddy list only
    }
    ContactHeader contact = (ContactHeader) r.getHeader(ContactHeader.NAME);
    if (contact == null) {
      return done(SipOutcome.reply(Response.BAD_REQUEST));
    }
    PresenceFormat format = null;
    if (pkg == EventPackage.PRESENCE) {
      // Each resource's document: the Accept's presence formats (multipart and RLMI aside), PIDF by default.
      List<String> accept = acceptList(r).stream()
          .filter(a -> !a.toLowerCase(Locale.ROOT).startsWith("multipart/") && !a.toLowerCase(Locale.ROOT).startsWith(Rlmi.TYPE))
          .toList();
      format = PresenceFormat.choose(accept);
      if (format == null) {
        format = PresenceFormat.PIDF;
      }
    } else if (!accepts(r, pkg) && !acceptsList(r)) {
      return done(SipOutcome.reply(Response.NOT_ACCEPTABLE));
    }
    PresenceFormat chosen = format;
    String ownerName = owner.username();
    return presence.ready(ownerName).compose(v -> {
      List<PresenceProfile.Buddy> members = presence.listMembers(ownerName, list.group());
      if (list.group() != null && members.isEmpty()) {
        return done(SipOutcome.reply(Response.NOT_FOUND)); // no such group
      }
      // Every buddy's profile and bindings, as a single SUBSCRIBE to each would wait for them.
      return Future.all(members.stream().map(b -> presence.ready(b.username())).toList()).compose(x -> {
        // Buddies who have not decided are asked, as by a single SUBSCRIBE, before the answer.
        List<String> asked = members.stream().map(PresenceProfile.Buddy::username)
            .filter(b -> presence.decide(b, ownerName) == Rule.Action.CONFIRM).toList();
        return Future.all(asked.stream().map(b -> presence.update(b, p -> p.withPending(ownerName, clock.instant())))
            .toList()).map(y -> createList(req, watcher, contact, event, pkg, chosen, granted, list, asked));
      });
    });
  }

  private SipOutcome createList(SipRequest req, User watcher, ContactHeader contact, EventHeader event,
      EventPackage pkg, PresenceFormat format, int granted, BuddyListUri list, List<String> asked) {
    Request r = req.request();
    String localTag = SipTags.newTag();
    String callId = ((CallIdHeader) r.getHeader(CallIdHeader.NAME)).getCallId();
    String listUser = config.listUser(watcher.username())
        + (list.group() == null ? "" : "-" + list.group().toLowerCase(Locale.ROOT));
    FromHeader from = (FromHeader) r.getHeader(FromHeader.NAME);
    Subscription dialog = new Subscription(callId, localTag, from.getTag(), watcher.username(), listUser,
        presence.uriOf(listUser), from.getAddress().getURI().toString(), contact.getAddress().getURI().toString(),
        routeSet(r), req.transport(), req.sourceHost() + ":" + req.sourcePort(), event.getEventId(), pkg, null,
        Subscription.State.ACTIVE, clock.instant().plusSeconds(granted), SipTags.newTag() + SipTags.newTag());
    ListSubscription l = new ListSubscription(dialog, watcher.username(), list.group(), pkg, format);
    l.notedPending.addAll(asked);
    return SipOutcome.reply(Response.OK, resp -> answerList(resp, localTag, granted, req.transport()),
        () -> {
          if (granted == 0) {
            presence.fetchList(l);
          } else {
            presence.addList(l);
          }
        });
  }

  private SipOutcome inDialogList(ListSubscription l, User watcher, int granted) {
    if (!l.owner.equals(watcher.username())) {
      return SipOutcome.reply(Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST);
    }
    if (granted == 0) {
      return SipOutcome.reply(Response.OK, resp -> answerList(resp, l.dialog.localTag, 0, l.dialog.transport),
          () -> presence.terminateList(l, "timeout"));
    }
    Instant until = clock.instant().plusSeconds(granted);
    return SipOutcome.reply(Response.OK, resp -> answerList(resp, l.dialog.localTag, granted, l.dialog.transport),
        () -> presence.refreshList(l, until));
  }

  /** As {@link #answer}, with {@code Require: eventlist}: this dialog carries a list (RFC 4662 §5). */
  private void answerList(Response resp, String localTag, int granted, String transport) {
    answer(resp, localTag, granted, transport);
    header(resp, () -> edge.factories().headers().createRequireHeader("eventlist"));
  }

  private static boolean supportsEventlist(Request r) {
    ListIterator<?> it = r.getHeaders(SupportedHeader.NAME);
    while (it.hasNext()) {
      SupportedHeader h = (SupportedHeader) it.next();
      if (h.getOptionTag() != null && h.getOptionTag().trim().equalsIgnoreCase("eventlist")) {
        return true;
      }
    }
    return false;
  }

  /** Whether the Accept names multipart/related or RLMI (a list subscriber's). */
  private static boolean acceptsList(Request r) {
    return acceptList(r).stream().map(a -> a.toLowerCase(Locale.ROOT))
        .anyMatch(a -> a.startsWith("multipart/related") || a.startsWith(Rlmi.TYPE));
  }

  /** The dialog's route set: the SUBSCRIBE's Record-Route entries, in order. */
  private static List<String> routeSet(Request r) {
    List<String> routeSet = new ArrayList<>();
    ListIterator<?> rr = r.getHeaders(RecordRouteHeader.NAME);
    while (rr.hasNext()) {
      routeSet.add(((RecordRouteHeader) rr.next()).getAddress().toString());
    }
    return routeSet;
  }

  private SipOutcome inDialog(Subscription s, User watcher, int granted) {
    if (s == null || !s.watcher.equals(watcher.username())) {
      return SipOutcome.reply(Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST);
    }
    if (granted == 0) {
      return SipOutcome.reply(Response.OK, resp -> answer(resp, s.localTag, 0, s.transport), () -> presence.terminate(s, "timeout"));
    }
    Instant until = clock.instant().plusSeconds(granted);
    return SipOutcome.reply(s.state == Subscription.State.PENDING ? Response.ACCEPTED : Response.OK,
        resp -> answer(resp, s.localTag, granted, s.transport), () -> {
          presence.refresh(s, until);
          presence.notifyCurrent(s, true);
        });
  }

  /** @param transport the subscription's: our Contact keeps the dialog on it (a TLS one stays TLS) */
  private void answer(Response resp, String localTag, int granted, String transport) {
    try {
      ((ToHeader) resp.getHeader(ToHeader.NAME)).setTag(localTag);
      resp.addHeader(edge.factories().headers().createExpiresHeader(granted));
      resp.addHeader(edge.contact(transport));
    } catch (ParseException | InvalidArgumentException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The SUBSCRIBE's Accept entries as {@code type/subtype[;q=...]}, in their order; empty when it has none. */
  private static List<String> acceptList(Request r) {
    List<String> out = new ArrayList<>();
    ListIterator<?> it = r.getHeaders(AcceptHeader.NAME);
    while (it.hasNext()) {
      AcceptHeader a = (AcceptHeader) it.next();
      if (a.getContentType() == null) {
        continue; // an empty Accept header
      }
      String q = a.getParameter("q");
      out.add(a.getContentType() + "/" + a.getContentSubType() + (q != null ? ";q=" + q : ""));
    }
    return out;
  }

  /** No Accept means the package's default type (RFC 6665 §7.2); else it or a wildcard must be among them. */
  private static boolean accepts(Request r, EventPackage pkg) {
    ListIterator<?> it = r.getHeaders(AcceptHeader.NAME);
    if (!it.hasNext()) {
      return true;
    }
    while (it.hasNext()) {
      AcceptHeader a = (AcceptHeader) it.next();
      String type = String.valueOf(a.getContentType()).toLowerCase(Locale.ROOT);
      String sub = String.valueOf(a.getContentSubType()).toLowerCase(Locale.ROOT);
      if ((type.equals(pkg.type) && (sub.equals(pkg.subType) || sub.equals("*"))) || type.equals("*")) {
        return true;
      }
    }
    return false;
  }

  private static String target(Request r) {
    if (r.getRequestURI() instanceof SipURI uri && uri.getUser() != null) {
      return uri.getUser();
    }
    ToHeader to = (ToHeader) r.getHeader(ToHeader.NAME);
    return to.getAddress().getURI() instanceof SipURI sip ? sip.getUser() : null;
  }

  private interface HeaderMaker {
    javax.sip.header.Header make() throws ParseException, InvalidArgumentException;
  }

  private static void header(Response r, HeaderMaker maker) {
    try {
      r.addHeader(maker.make());
    } catch (ParseException | InvalidArgumentException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Future<SipOutcome> done(SipOutcome o) {
    return Future.succeededFuture(o);
  }
}
