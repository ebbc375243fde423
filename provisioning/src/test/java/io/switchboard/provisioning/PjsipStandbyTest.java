package io.switchboard.provisioning;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.core.ha.AmiHolding;
import io.switchboard.core.store.MongoDeviceStore;
import io.switchboard.core.store.MongoStore;
import io.switchboard.core.store.MongoUserStore;
import io.switchboard.core.testing.FreePorts;
import io.switchboard.core.testing.TestConfigs;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** In a cluster the PJSIP file is the AMI holder's to write: a standby node leaves it alone. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class PjsipStandbyTest {

  @Test
  void aStandbyLeavesTheFileToTheNodeHoldingTheAmiLink(Vertx vertx, @TempDir Path dir) throws Exception {
    var config = TestConfigs.loopback(dir, FreePorts.udpAndTcp(), 0, Map.of()).store();
    MongoStore store = vertx.executeBlocking(() -> MongoStore.open(config)).await();
    try {
      Path file = dir.resolve("pjsip_switchboard.conf");
      PjsipWriter writer = new PjsipWriter(vertx, new MongoDeviceStore(vertx, store), new MongoUserStore(vertx, store),
          file, "from-switchboard", "*97");
      Context context = vertx.getOrCreateContext();

      AmiHolding.standby(vertx, true);
      onContext(context, writer::changed).await(30, TimeUnit.SECONDS);
      assertFalse(Files.exists(file), "another node holds the AMI link: it writes the file");

      AmiHolding.standby(vertx, false);
      onContext(context, writer::changed).await(30, TimeUnit.SECONDS);
      assertTrue(Files.exists(file), "this node holds the link (or none is clustered): it writes the file");
    } finally {
      vertx.executeBlocking(() -> {
        store.close();
        return null;
      }).await();
    }
  }

  private static Future<Void> onContext(Context context, java.util.function.Supplier<Future<Void>> work) {
    return Future.future(p -> context.runOnContext(v -> work.get().onComplete(p)));
  }
}
