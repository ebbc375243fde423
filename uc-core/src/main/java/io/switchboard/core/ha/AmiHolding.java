package io.switchboard.core.ha;

import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;

/**
 * Whether this node is a standby for the AMI link: another node holds it (telephony took no
 * cluster-wide lock). Kept in a local map so that provisioning, which does not depend on telephony,
 * leaves the PJSIP file and the reload to the holder. A node that is not clustered, or has no
 * Asterisk configured, is never a standby.
 */
public final class AmiHolding {

  private static final String MAP = "switchboard.ha";
  private static final String STANDBY = "ami.standby";

  private AmiHolding() {
  }

  public static void standby(Vertx vertx, boolean standby) {
    LocalMap<String, Boolean> map = vertx.sharedData().getLocalMap(MAP);
    map.put(STANDBY, standby);
  }

  public static boolean standby(Vertx vertx) {
    LocalMap<String, Boolean> map = vertx.sharedData().getLocalMap(MAP);
    return Boolean.TRUE.equals(map.get(STANDBY));
  }
}
