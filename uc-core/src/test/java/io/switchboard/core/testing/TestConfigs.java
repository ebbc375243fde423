package io.switchboard.core.testing;

import io.switchboard.core.config.ConfigLoader;
import io.switchboard.core.config.SwitchboardConfig;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** Configurations for tests: the reference defaults on loopback, free ports, a temporary store. */
public final class TestConfigs {

  private TestConfigs() {
  }

  public static SwitchboardConfig loopback(Path dataDir, int sipPort, int webPort, Map<String, String> more) {
    Map<String, String> env = new HashMap<>();
    env.put(ConfigLoader.envName("sip.bind-address"), "127.0.0.1");
    env.put(ConfigLoader.envName("sip.port"), String.valueOf(sipPort));
    env.put(ConfigLoader.envName("sip.domain"), "switchboard.test");
    env.put(ConfigLoader.envName("web.bind-address"), "127.0.0.1");
    env.put(ConfigLoader.envName("web.port"), String.valueOf(webPort));
    env.put(ConfigLoader.envName("data.dir"), dataDir.toString());
    env.put(ConfigLoader.envName("provisioning.bind-address"), "127.0.0.1");
    env.put(ConfigLoader.envName("provisioning.port"), "0");
    env.put(ConfigLoader.envName("provisioning.pjsip-file"), dataDir.resolve("pjsip_switchboard.conf").toString());
    more.forEach((k, v) -> env.put(ConfigLoader.envName(k), v));
    return ConfigLoader.load(null, env);
  }
}
