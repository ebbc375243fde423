package io.switchboard.api.telephony;

import io.switchboard.api.BusPayload;
import io.vertx.core.json.JsonObject;

/**
 * Makes Asterisk re-read a module's configuration (AMI {@code Action: Reload}). Request on
 * {@link io.switchboard.api.EventAddresses#AMI_RELOAD}; reply {@link io.switchboard.api.NoContent}
 * once Asterisk answered; 503 without a link to Asterisk.
 *
 * @param module a module file name such as {@code res_pjsip.so}
 */
public record AmiReloadRequest(String module) implements BusPayload {

  @Override
  public JsonObject toJson() {
    return new JsonObject().put("module", module);
  }

  public static AmiReloadRequest fromJson(JsonObject json) {
    return new AmiReloadRequest(json.getString("module"));
  }
}
