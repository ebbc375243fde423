package io.switchboard.telephony;

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
    return vertx.eventBus().<JsonObject>consumer(EventAddresses.AMI_RELOAD, this::reload).completion();
  }

  private void reload(Message<JsonObject> msg) {
    String module = msg.body().getString("module");
    if (module == null || !module.matches("[a-z_]+\\.so")) {
      msg.fail(400, "module: a module file name such as res_pjsip.so");
      return;
    }
    if (!link.connected()) {
      msg.fail(503, "the link to Asterisk is down");
      return;
    }
    link.send(new ReloadAction(module)).onComplete(r -> {
      if (r.failed()) {
        LOG.warn("Asterisk reload failed [module: {}, reason: {}]", module, r.cause().getMessage());
        msg.fail(503, r.cause().getMessage());
      } else {
        LOG.info("Asterisk reloaded [module: {}]", module);
        msg.reply(new JsonObject());
      }
    });
  }
}
