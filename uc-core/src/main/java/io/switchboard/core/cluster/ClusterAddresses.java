package io.switchboard.core.cluster;

/**
 * Event-bus addresses that only a cluster uses (kept apart from {@code EventAddresses} until the bus
 * contract moves to its own module). Payloads are JSON: they cross node boundaries.
 */
public final class ClusterAddresses {

  /**
   * Published by the node that changed a binding (registered, refreshed, removed, expired), to every
   * node: {@code {from, change, binding: {username, key, contact, expiresAt (ms), ..., node}}}. Each
   * node keeps every binding in memory; the store has the change already.
   */
  public static final String BINDING_CHANGED = "switchboard.cluster.binding";

  /**
   * Prefix of each node's address for requests to the devices whose flow it holds: request
   * {@code {request (the SIP request without its body, as text), body (base64, if any), transport}},
   * reply {@code {status, reason}}: the device's final response. A failure is a ReplyException with
   * 408 (no answer) or 503 (not sent).
   */
  public static final String SIP_SEND_PREFIX = "switchboard.sip.send.";

  /**
   * Published by the node that accepted a PUBLISH (RFC 3903), to every node, so that each composes
   * the same document for its own watchers: {@code {from, user, etag, previousEtag, view: {state,
   * note}, expiresAt (ms)}}, or {@code {from, user, removed: etag}}. Each node expires it on its own.
   */
  public static final String PRESENCE_PUBLICATION = "switchboard.cluster.presence.publication";

  private ClusterAddresses() {
  }

  /** The address where {@code nodeId} sends requests to its devices. */
  public static String sipSend(String nodeId) {
    return SIP_SEND_PREFIX + nodeId;
  }
}
