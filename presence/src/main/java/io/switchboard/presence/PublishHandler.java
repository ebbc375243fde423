package io.switchboard.presence;

import io.switchboard.core.config.SwitchboardConfig;
import io.switchboard.core.model.User;
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
import java.util.Locale;
import javax.sip.InvalidArgumentException;
import javax.sip.address.SipURI;
import javax.sip.header.ContentTypeHeader;
import javax.sip.header.EventHeader;
import javax.sip.header.ExpiresHeader;
import javax.sip.header.SIPETagHeader;
import javax.sip.header.SIPIfMatchHeader;
import javax.sip.header.ToHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;

/**
 * PUBLISH of presence (RFC 3903): a device tells its own state as PIDF. Initial publications get an
 * entity tag; with SIP-If-Match they are refreshed (no body), modified (a body) or removed
 * (Expires: 0), each answered with a new tag; an unknown tag is 412. Only one's own presence.
 */
final class PublishHandler implements SipRequestHandler {

  private final PresenceService presence;
  private final SwitchboardConfig.Presence config;
  private final UserStore users;
  private final DigestAuthenticator authenticator;
  private final SipEdge edge;
  private final Clock clock;

  PublishHandler(PresenceService presence, SwitchboardConfig.Presence config, UserStore users,
      DigestAuthenticator authenticator, SipEdge edge, Clock clock) {
    this.presence = presence;
    this.config = config;
    this.users = users;
    this.authenticator = authenticator;
    this.edge = edge;
    this.clock = clock;
  }

  @Override
  public Future<SipOutcome> handle(SipRequest req) {
    EventHeader event = (EventHeader) req.request().getHeader(EventHeader.NAME);
    if (event == null || !"presence".equalsIgnoreCase(event.getEventType())) {
      return Future.succeededFuture(SipOutcome.reply(Response.BAD_EVENT, r -> {
        try {
          r.addHeader(edge.factories().headers().createAllowEventsHeader("presence"));
        } catch (ParseException e) {
          throw new IllegalStateException(e);
        }
      }));
    }
    return authenticator.withUser(req, true, publisher -> publish(req, publisher));
  }

  private Future<SipOutcome> publish(SipRequest req, User publisher) {
    Request r = req.request();
    String target = r.getRequestURI() instanceof SipURI uri && uri.getUser() != null ? uri.getUser()
        : ((ToHeader) r.getHeader(ToHeader.NAME)).getAddress().getURI() instanceof SipURI to ? to.getUser() : null;
    return users.findByUsernameOrExtension(target == null ? "" : target).map(found -> {
      if (found.isEmpty()) {
        return SipOutcome.reply(Response.NOT_FOUND);
      }
      if (!found.get().username().equals(publisher.username())) {
        return SipOutcome.reply(Response.FORBIDDEN);
      }
      SipOutcome outcome = decide(r, publisher.username());
      byte[] body = r.getRawContent();
      if (body != null && body.length > 0) {
        presence.used(req, publisher.username(), "publish"); // publishing a state is a use; a refresh is not
      }
      return outcome;
    });
  }

  private SipOutcome decide(Request r, String user) {
    ExpiresHeader expiresHeader = r.getExpires();
    int expires = expiresHeader == null ? config.defaultExpires() : expiresHeader.getExpires();
    if (expires > 0 && expires < config.minExpires()) {
      return SipOutcome.reply(Response.INTERVAL_TOO_BRIEF, resp -> {
        try {
          resp.addHeader(edge.factories().headers().createMinExpiresHeader(config.minExpires()));
        } catch (InvalidArgumentException e) {
          throw new IllegalStateException(e);
        }
      });
    }
    int granted = Math.min(expires, config.maxExpires());
    byte[] body = r.getRawContent();
    boolean hasBody = body != null && body.length > 0;
    PresenceView view = null;
    if (hasBody) {
      ContentTypeHeader type = (ContentTypeHeader) r.getHeader(ContentTypeHeader.NAME);
      String media = type == null ? "" : (type.getContentType() + "/" + type.getContentSubType()).toLowerCase(Locale.ROOT);
      // cpim-pidf+xml: RFC 3863's own document under its draft's type, as some older clients publish it
      if (!media.equals(Pidf.CONTENT_TYPE) && !media.equals("application/cpim-pidf+xml")) {
        return SipOutcome.reply(Response.UNSUPPORTED_MEDIA_TYPE, resp -> {
          try {
            resp.addHeader(edge.factories().headers().createAcceptHeader("application", "pidf+xml"));
          } catch (ParseException e) {
            throw new IllegalStateException(e);
          }
        });
      }
      try {
        view = Pidf.parse(body);
      } catch (IllegalArgumentException e) {
        return SipOutcome.reply(Response.BAD_REQUEST);
      }
    }
    SIPIfMatchHeader ifMatch = (SIPIfMatchHeader) r.getHeader(SIPIfMatchHeader.NAME);
    if (ifMatch == null) {
      if (!hasBody || granted == 0) {
        return SipOutcome.reply(Response.BAD_REQUEST); // an initial publication carries state and a lifetime
      }
      return accepted(presence.publish(user, null, SipTags.newTag(), view, clock.instant().plusSeconds(granted)), granted,
          user);
    }
    Publications.Publication existing = presence.publication(ifMatch.getETag());
    if (existing == null || !existing.username().equals(user)) {
      return SipOutcome.reply(Response.CONDITIONAL_REQUEST_FAILED);
    }
    if (granted == 0) {
      presence.unpublish(existing.etag());
      return SipOutcome.reply(Response.OK, resp -> { }, () -> presence.changed(user));
    }
    PresenceView state = view != null ? view : existing.view();
    return accepted(presence.publish(user, existing.etag(), SipTags.newTag(), state, clock.instant().plusSeconds(granted)),
        granted, user);
  }

  /** The 200 goes out as soon as the publication is kept; the user's watchers are told after it (RFC 3903 §6). */
  private SipOutcome accepted(String etag, int granted, String user) {
    // As text: over UDP the edge writes them straight into the 200 it encodes (no header objects).
    return SipOutcome.reply(Response.OK, SipOutcome.Headers.of(SIPETagHeader.NAME, etag, ExpiresHeader.NAME,
        Integer.toString(granted)), () -> presence.changed(user));
  }
}
