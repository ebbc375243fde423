package io.switchboard.core.config;

/** A configuration value that cannot be used; the message always names the key. */
public final class ConfigException extends RuntimeException {

  private final String key;

  public ConfigException(String key, String problem) {
    super("configuration key '" + key + "' (env " + ConfigLoader.envName(key) + "): " + problem);
    this.key = key;
  }

  public String key() {
    return key;
  }
}
