package io.switchboard.provisioning;

import io.switchboard.api.BusCalls;
import io.switchboard.api.Caller;
import io.switchboard.api.presence.BuddiesRequest;
import io.switchboard.api.presence.BuddyList;
import io.switchboard.api.EventAddresses;
import io.switchboard.core.model.Device;
import io.switchboard.core.model.User;
import io.switchboard.core.store.UserStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Renders a provisioned phone's files: gathers the device's user and the user's buddies (asked of
 * presence over the bus; without an answer the file has no BLF keys rather than no file), then hands
 * them to the templates.
 */
final class PhoneFiles {

  private static final Logger LOG = LoggerFactory.getLogger(PhoneFiles.class);
  private static final long BUDDIES_TIMEOUT_MILLIS = 3_000;

  private final Vertx vertx;
  private final UserStore users;
  private final PhoneTemplates templates;
  private final PhoneModel.Servers servers;
  private final TrustedCertificate certificate;
  /** A user's buddy-list URI user part ({@code presence.list-uri-pattern}). */
  private final java.util.function.UnaryOperator<String> listUser;

  PhoneFiles(Vertx vertx, UserStore users, PhoneTemplates templates, PhoneModel.Servers servers,
      TrustedCertificate certificate, java.util.function.UnaryOperator<String> listUser) {
    this.listUser = listUser;
    this.vertx = vertx;
    this.users = users;
    this.templates = templates;
    this.servers = servers;
    this.certificate = certificate;
  }

  /** The certificate phones are told to trust (PEM), as it is now; "" without TLS. */
  String certificate() {
    return certificate.pem();
  }

  /** The file, or empty when the device's user is gone or disabled (the phone gets nothing). */
  Future<Optional<byte[]>> render(Device device, Vendor.FileRequest file) {
    if (!file.template().equals("phone")) {
      return Future.succeededFuture(Optional.of(templates.render(file.vendor(), file.template(),
          PhoneModel.common(file.mac(), file.model() != null ? file.model() : device == null ? null : device.model()))));
    }
    return users.find(device.username()).compose(user -> {
      if (user.isEmpty() || !user.get().enabled()) {
        return Future.succeededFuture(Optional.empty());
      }
      return buddies(user.get()).map(buddies -> Optional.of(templates.render(file.vendor(), file.template(),
          PhoneModel.of(device, user.get(), buddies, servers.withCaCert(certificate.pem()),
              listUser.apply(user.get().username())))));
    });
  }

  private Future<List<PhoneModel.Buddy>> buddies(User user) {
    // The phone's file shows its user's own buddy list: asked as that user.
    return BusCalls.request(vertx.eventBus(), EventAddresses.PRESENCE_BUDDIES,
            BuddiesRequest.list(Caller.user(user.username())),
            new DeliveryOptions().setSendTimeout(BUDDIES_TIMEOUT_MILLIS))
        .map(reply -> BuddyList.fromJson(reply).buddies())
        .recover(e -> {
          LOG.warn("No BLF keys: buddy list not available [user: {}, reason: {}]", user.username(), e.getMessage());
          return Future.succeededFuture(List.of());
        })
        .compose(list -> {
          List<Future<PhoneModel.Buddy>> each = new ArrayList<>();
          for (BuddyList.Buddy b : list) {
            String name = b.username();
            each.add(users.find(name).map(u -> new PhoneModel.Buddy(name, b.displayName(),
                u.map(User::extension).orElse(null))));
          }
          return Future.all(each).map(all -> {
            List<PhoneModel.Buddy> out = new ArrayList<>();
            for (int i = 0; i < all.size(); i++) {
              out.add(all.resultAt(i));
            }
            return out;
          });
        });
  }
}
