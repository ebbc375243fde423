package io.switchboard.telephony;

import io.switchboard.api.BusCalls;
import io.switchboard.api.BusFailure;
import io.switchboard.api.NoContent;
import io.switchboard.api.telephony.AmiReloadRequest;
import io.switchboard.api.EventAddresses;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import org.asteriskjava.manager.action.AbstractManagerAction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes Asterisk re-read a module's configuration on request ({@link EventAddresses#AMI_RELOAD}):
 * AMI {@code Action: Reload} with {@code Module:}. Provisioning asks for {@code res_pjsip.so} after
 * writing the endpoints file. Runs on the telephony verticle's context.
 */
final class AmiReload {

  private static final Logger LOG = LoggerFactory.getLogger(AmiReload.class);

  /** AMI Reload; Asterisk-Java has no class for it. Its getters become the action's headers. */
  public static final class ReloadAction extends AbstractManagerAction {
    private static final long serialVersionUID = 1L;
    private final String module;

    ReloadAction(String module) {
      this.module = module;
    }

    @Override
    public String getAction() {
      return "Reload";
    }

    public String getModule() {
      return module;
    }
  }

  private final Vertx vertx;
  private final AmiLink link;

  AmiReload(Vertx vertx, AmiLink link) {
    this.vertx = vertx;
    this.link = link;
  }

  Future<Void> start() {
    return vertx.eventBus().<JsonObject>consumer(EventAddresses.AMI_RELOAD,
        BusCalls.answer(AmiReloadRequest::fromJson, this::reload, e -> BusFailure.internal())).completion();
  }

  private Future<NoContent> reload(AmiReloadRequest request) {
    String module = request.module();
    if (module == null || !module.matches("[a-z_]+\\.so")) {
      return Future.failedFuture(BusFailure.invalid("module", "a module file name such as res_pjsip.so"));
    }
    if (!link.connected()) {
      return Future.failedFuture(BusFailure.unavailable("the link to Asterisk is down"));
    }
    return link.send(new ReloadAction(module)).transform(r -> {
      if (r.failed()) {
        LOG.warn("Asterisk reload failed [module: {}, reason: {}]", module, r.cause().getMessage());
        return Future.failedFuture(BusFailure.unavailable(r.cause().getMessage()));
      }
      LOG.info("Asterisk reloaded [module: {}]", module);
      return Future.succeededFuture(NoContent.INSTANCE);
    });
  }
}
