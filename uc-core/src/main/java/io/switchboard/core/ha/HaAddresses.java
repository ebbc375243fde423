package io.switchboard.core.ha;

/**
 * Event-bus addresses of the cluster's high-availability parts (#15), kept apart from
 * {@link io.switchboard.api.EventAddresses} while that catalogue moves to its own module.
 * Payloads are JSON objects: every one may cross a node boundary.
 */
public final class HaAddresses {

  private HaAddresses() {
  }

  /**
   * Local only, published by telephony when this node starts or stops holding the AMI link:
   * {@code {"holder": true|false}}. Provisioning writes the PJSIP file on the holder (see {@link AmiHolding}).
   */
  public static final String AMI_HOLDER = "switchboard.ha.ami.holder";

  /**
   * Prefix; one consumer per user per node while that node has a live console of the user's open. A
   * node whose last console of a user closed asks here before it tells the cluster the user went
   * offline: an answer means a console is still open elsewhere. Request {@code {}}, reply {@code {}}.
   */
  public static final String CONSOLE_OPEN = "switchboard.ha.console.open.";

  /**
   * Prefix + throttle kind ({@code login}, {@code probe}, {@code digest}); published by
   * {@link SharedFailures}: {@code {"node", "keys": {...}}}, one failure counted by another node.
   */
  public static final String FAILURE = "switchboard.ha.failure.";
}
