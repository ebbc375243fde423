package io.switchboard.core.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;

/**
 * Reads the configuration: the built-in reference file (all keys and defaults), then an optional
 * operator file, then {@code SWITCHBOARD_*} environment variables. Unknown keys are refused so that
 * a typo does not silently leave a default in force.
 */
public final class ConfigLoader {

  static final String REFERENCE = "/switchboard-reference.properties";

  private ConfigLoader() {
  }

  /** The environment variable that overrides a key: sip.min-expires -> SWITCHBOARD_SIP_MIN_EXPIRES. */
  public static String envName(String key) {
    return "SWITCHBOARD_" + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }

  public static Properties reference() {
    Properties props = new Properties();
    try (InputStream in = ConfigLoader.class.getResourceAsStream(REFERENCE)) {
      if (in == null) {
        throw new IllegalStateException("missing " + REFERENCE + " on the classpath");
      }
      props.load(new java.io.InputStreamReader(in, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + REFERENCE, e);
    }
    return props;
  }

  /**
   * Merges the three layers and builds the typed configuration.
   *
   * @param operatorFile may be null
   * @param env usually {@code System.getenv()}
   * @throws ConfigException naming the key at fault
   */
  public static SwitchboardConfig load(Path operatorFile, Map<String, String> env) {
    Properties merged = reference();
    if (operatorFile != null) {
      Properties operator = new Properties();
      try (Reader in = Files.newBufferedReader(operatorFile, StandardCharsets.UTF_8)) {
        operator.load(in);
      } catch (IOException e) {
        throw new ConfigException("config", "cannot read " + operatorFile + ": " + e.getMessage());
      }
      for (String key : new TreeSet<>(operator.stringPropertyNames())) {
        if (!merged.containsKey(key)) {
          throw new ConfigException(key, "unknown key in " + operatorFile);
        }
        merged.setProperty(key, operator.getProperty(key).trim());
      }
    }
    for (String key : merged.stringPropertyNames()) {
      String value = env.get(envName(key));
      if (value != null) {
        merged.setProperty(key, value.trim());
      }
    }
    return SwitchboardConfig.from(merged);
  }
}
