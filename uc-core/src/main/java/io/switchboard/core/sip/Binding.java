package io.switchboard.core.sip;

import java.time.Instant;
import java.util.List;

/**
 * One registered contact of a user (RFC 3261 §10): a desk phone, a PDA, a softphone.
 *
 * @param key what identifies the binding across refreshes: the +sip.instance (RFC 5626) when the
 *     device sends one, else the contact URI
 * @param accept content types from the REGISTER's Accept header; empty means text/plain only
 * @param source host:port the REGISTER came from, for devices behind NAT
 * @param device the id of the provisioned device whose credentials registered it (its endpoint and
 *     SIP secret); null when the user's own credentials did
 * @param node the cluster node that received the REGISTER, and so holds the device's flow (its TCP or
 *     TLS connection, its NAT binding): requests to the device leave from there. Null on a single node
 */
public record Binding(String username, String key, String contact, Instant expiresAt, String callId, long cseq,
    float q, String userAgent, List<String> accept, String transport, String source, String device, String node) {

  public Binding {
    accept = accept == null ? List.of() : List.copyOf(accept);
  }

  /** Not bound to a cluster node (a single node). */
  public Binding(String username, String key, String contact, Instant expiresAt, String callId, long cseq,
      float q, String userAgent, List<String> accept, String transport, String source, String device) {
    this(username, key, contact, expiresAt, callId, cseq, q, userAgent, accept, transport, source, device, null);
  }

  /** This binding, held by {@code nodeId}. */
  public Binding onNode(String nodeId) {
    return new Binding(username, key, contact, expiresAt, callId, cseq, q, userAgent, accept, transport, source, device,
        nodeId);
  }

  public boolean expiredAt(Instant now) {
    return !expiresAt.isAfter(now);
  }

  public long remainingSeconds(Instant now) {
    return Math.max(0, expiresAt.getEpochSecond() - now.getEpochSecond());
  }
}
