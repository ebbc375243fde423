package io.switchboard.im;

import io.switchboard.core.config.SwitchboardConfig;
import io.switchboard.core.model.User;
import io.switchboard.core.sip.DigestAuthenticator;
import io.switchboard.core.sip.SipFactories;
import io.switchboard.core.sip.SipOutcome;
import io.switchboard.core.sip.SipRequest;
import io.switchboard.core.sip.SipRequestHandler;
import io.vertx.core.Future;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.Locale;
import javax.sip.address.SipURI;
import javax.sip.header.ContentEncodingHeader;
import javax.sip.header.ContentTypeHeader;
import javax.sip.header.ToHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SIP MESSAGE (RFC 3428) from a phone: authenticate the sender (407, as phones expect from the
 * server they send through), check size and content type, then hand to the {@link MessageRouter}.
 * 200 when a device took it, 202 when it was stored, 404 for an unknown user, 413 too large,
 * 415 a type we do not carry (with Accept saying which we do) or a Content-Encoding we cannot undo (with
 * Accept-Encoding). A disposition notification ({@code message/imdn+xml}, bare or in CPIM, often deflated) is
 * not a message to store: 200, and {@link Receipts} records and forwards it.
 */
final class MessageHandler implements SipRequestHandler {

  private static final Logger LOG = LoggerFactory.getLogger(MessageHandler.class);

  private final SwitchboardConfig.Im config;
  private final DigestAuthenticator authenticator;
  private final MessageRouter router;
  private final SipFactories factories;
  private final Receipts receipts;
  /** Reports the sender's device as used (null: not reported, e.g. tests of the handler alone). */
  private final SenderDevice senderDevice;

  /** The device a MESSAGE came from, reported as used (the device in use). */
  interface SenderDevice {
    void used(SipRequest req, String username);
  }

  MessageHandler(SwitchboardConfig.Im config, DigestAuthenticator authenticator, MessageRouter router,
      SipFactories factories, Receipts receipts) {
    this(config, authenticator, router, factories, receipts, null);
  }

  MessageHandler(SwitchboardConfig.Im config, DigestAuthenticator authenticator, MessageRouter router,
      SipFactories factories, Receipts receipts, SenderDevice senderDevice) {
    this.senderDevice = senderDevice;
    this.config = config;
    this.authenticator = authenticator;
    this.router = router;
    this.factories = factories;
    this.receipts = receipts;
  }

  @Override
  public Future<SipOutcome> handle(SipRequest req) {
    return authenticator.withUser(req, true, sender -> accept(req, sender));
  }

  private Future<SipOutcome> accept(SipRequest req, User sender) {
    Request r = req.request();
    byte[] body = r.getRawContent();
    if (body == null || body.length == 0) {
      return Future.succeededFuture(SipOutcome.reply(Response.BAD_REQUEST));
    }
    if (body.length > config.maxMessageSize()) {
      LOG.debug("MESSAGE too large [call-id: {}, bytes: {}]", req.callId(), body.length);
      return Future.succeededFuture(SipOutcome.reply(Response.REQUEST_ENTITY_TOO_LARGE));
    }
    ContentEncodingHeader encoding = (ContentEncodingHeader) r.getHeader(ContentEncodingHeader.NAME);
    if (encoding != null) {
      try {
        // The size limit is on what is kept and sent on: the decoded body.
        body = ContentEncoding.decode(encoding.getEncoding(), body, config.maxMessageSize());
      } catch (ContentEncoding.Failure e) {
        LOG.debug("MESSAGE body not decoded [call-id: {}]: {}", req.callId(), e.getMessage());
        return Future.succeededFuture(e.unsupported ? unsupportedEncoding()
            : SipOutcome.reply(e.tooLarge ? Response.REQUEST_ENTITY_TOO_LARGE : Response.BAD_REQUEST));
      }
    }
    ContentTypeHeader type = (ContentTypeHeader) r.getHeader(ContentTypeHeader.NAME);
    String mime = type == null ? "text/plain" : (type.getContentType() + "/" + type.getContentSubType()).toLowerCase(Locale.ROOT);
    String charset = type == null || type.getParameter("charset") == null ? "utf-8" : type.getParameter("charset").toLowerCase(Locale.ROOT);
    String text;
    if (mime.equals("text/plain")) {
      if (!charset.equals("utf-8") && !charset.equals("us-ascii")) {
        return unsupported();
      }
      text = new String(body, StandardCharsets.UTF_8);
    } else if (mime.equals(Imdn.CONTENT_TYPE)) {
      return notification(req, sender, body, null);
    } else if (mime.equals(Cpim.CONTENT_TYPE)) {
      Cpim cpim;
      try {
        cpim = Cpim.parse(body);
      } catch (IllegalArgumentException e) {
        LOG.debug("bad CPIM [call-id: {}]: {}", req.callId(), e.getMessage());
        return Future.succeededFuture(SipOutcome.reply(Response.BAD_REQUEST));
      }
      if (cpim.contentType().toLowerCase(Locale.ROOT).startsWith(Imdn.CONTENT_TYPE)) {
        return notification(req, sender, cpim.body(), body);
      }
      if (!cpim.isText()) {
        return unsupported();
      }
      text = cpim.bodyText();
    } else {
      return unsupported();
    }
    String target = target(r);
    if (target == null) {
      return Future.succeededFuture(SipOutcome.reply(Response.NOT_FOUND));
    }
    if (senderDevice != null) {
      senderDevice.used(req, sender.username()); // sending a message is a use of that device
    }
    String storedType = mime.equals("text/plain") ? "text/plain;charset=UTF-8" : Cpim.CONTENT_TYPE;
    return router.route(sender, target, storedType, body, text).map(outcome -> {
      if (outcome instanceof MessageRouter.Delivered) {
        return SipOutcome.reply(Response.OK);
      }
      if (outcome instanceof MessageRouter.Stored) {
        return SipOutcome.reply(Response.ACCEPTED);
      }
      if (outcome instanceof MessageRouter.NotAMember) {
        return SipOutcome.reply(Response.FORBIDDEN);
      }
      return SipOutcome.reply(Response.NOT_FOUND);
    });
  }

  /**
   * An IMDN (RFC 5438) from the recipient of a message to its sender: 200 once recorded, whether or not the
   * original is known (a notification is best effort; refusing it makes Linphone send it again at every start).
   *
   * @param cpim its CPIM envelope, or null when it came bare
   */
  private Future<SipOutcome> notification(SipRequest req, User sender, byte[] xml, byte[] cpim) {
    Imdn imdn;
    try {
      imdn = Imdn.parse(xml);
    } catch (IllegalArgumentException e) {
      LOG.debug("bad IMDN [call-id: {}]: {}", req.callId(), e.getMessage());
      return Future.succeededFuture(SipOutcome.reply(Response.BAD_REQUEST));
    }
    String target = target(req.request());
    if (target == null || target.startsWith(Room.ADDRESS_PREFIX)) {
      return Future.succeededFuture(SipOutcome.reply(Response.NOT_FOUND));
    }
    return receipts.fromDevice(sender, target, imdn, cpim).map(SipOutcome.reply(Response.OK));
  }

  private SipOutcome unsupportedEncoding() {
    return SipOutcome.reply(Response.UNSUPPORTED_MEDIA_TYPE, resp -> {
      try {
        resp.addHeader(factories.headers().createHeader("Accept-Encoding", ContentEncoding.SUPPORTED));
      } catch (ParseException e) {
        throw new IllegalStateException(e);
      }
    });
  }

  private Future<SipOutcome> unsupported() {
    return Future.succeededFuture(SipOutcome.reply(Response.UNSUPPORTED_MEDIA_TYPE, resp -> {
      try {
        resp.addHeader(factories.headers().createAcceptHeader("text", "plain"));
        resp.addHeader(factories.headers().createAcceptHeader("message", "cpim"));
        resp.addHeader(factories.headers().createAcceptHeader("message", "imdn+xml"));
      } catch (ParseException e) {
        throw new IllegalStateException(e);
      }
    }));
  }

  /** The recipient: the Request-URI's user, or the To's when the request names only the domain. */
  private static String target(Request r) {
    if (r.getRequestURI() instanceof SipURI uri && uri.getUser() != null) {
      return uri.getUser();
    }
    ToHeader to = (ToHeader) r.getHeader(ToHeader.NAME);
    return to != null && to.getAddress().getURI() instanceof SipURI sip ? sip.getUser() : null;
  }
}
