package io.switchboard.core.sip;

import javax.sip.address.SipURI;
import javax.sip.header.FromHeader;
import javax.sip.header.ToHeader;

/**
 * Which of the SIP edge's contexts a request runs on: the key it returns picks one, always the same
 * for the same key, so that what must stay in order (one user's REGISTERs, one sender's MESSAGEs to
 * one recipient, one dialog) stays on one event loop, while different keys spread over all of them.
 * A null key means the home context ({@link SipEdge#sipContext()}), where handlers with shared
 * state of their own (presence) run together. Runs on a JAIN-SIP thread: reads headers only.
 */
@FunctionalInterface
public interface SipAffinity {

  /** @return the key, or null for the home context */
  String key(SipRequest request);

  /** Everything on the home context: for handlers that are not safe on more than one. */
  SipAffinity HOME = request -> null;

  /** By dialog (or transaction, outside one): the Call-ID. */
  SipAffinity CALL_ID = SipRequest::callId;

  /** By address of record: the To user (REGISTER), else the Call-ID. */
  SipAffinity TO_USER = request -> {
    ToHeader to = (ToHeader) request.request().getHeader(ToHeader.NAME);
    return to != null && to.getAddress().getURI() instanceof SipURI sip && sip.getUser() != null
        ? sip.getUser() : request.callId();
  };

  /** By recipient: the Request-URI user (a user or a room), else the To user, else the Call-ID. */
  SipAffinity RECIPIENT = request -> request.request().getRequestURI() instanceof SipURI uri && uri.getUser() != null
      ? uri.getUser() : TO_USER.key(request);

  /**
   * By conversation: the sender (the From user) with the {@link #RECIPIENT}, so that one sender's
   * MESSAGEs to one recipient stay in order on one loop, while many senders writing to one busy
   * recipient (a help desk, a room) spread over all of them instead of queueing on one.
   */
  SipAffinity CONVERSATION = request -> {
    FromHeader from = (FromHeader) request.request().getHeader(FromHeader.NAME);
    String sender = from != null && from.getAddress().getURI() instanceof SipURI sip && sip.getUser() != null
        ? sip.getUser() : "";
    return sender + '\n' + RECIPIENT.key(request);
  };
}
