package io.switchboard.core.security;

import java.util.Optional;

/**
 * What a record's {@code toString} prints in place of a secret, so that a record logged whole (a
 * config dumped at start, a request in a debug line) never shows one. Whether a secret is set is
 * kept; its value, and its length, are not.
 */
public final class Redact {

  static final String HIDDEN = "<hidden>";

  private Redact() {
  }

  /** "<hidden>" for a secret that is set, "<unset>" for one that is not (null or empty). */
  public static String secret(String value) {
    return value == null || value.isEmpty() ? "<unset>" : HIDDEN;
  }

  public static String secret(Optional<String> value) {
    return secret(value.orElse(null));
  }

  /** An optional change of a secret: "<hidden>" when it changes, "<unchanged>" when not. */
  public static String change(Optional<?> value) {
    return value.isPresent() ? HIDDEN : "<unchanged>";
  }

  /** A URI with its password (user:password@) hidden, as in mongodb://user:<hidden>@host/db. */
  public static String uri(String uri) {
    if (uri == null) {
      return null;
    }
    int scheme = uri.indexOf("://");
    if (scheme < 0) {
      return uri;
    }
    // The authority ends at the first '/' or '?': an '@' in the path or query is no user part.
    int end = uri.length();
    for (char c : new char[] {'/', '?'}) {
      int i = uri.indexOf(c, scheme + 3);
      end = i >= 0 ? Math.min(end, i) : end;
    }
    int at = uri.lastIndexOf('@', end - 1);
    if (at < scheme + 3) {
      return uri;
    }
    int colon = uri.indexOf(':', scheme + 3);
    int userEnd = colon >= 0 && colon < at ? colon : at;
    return uri.substring(0, userEnd) + ":" + HIDDEN + uri.substring(at);
  }

  public static String uri(Optional<String> uri) {
    return uri.map(Redact::uri).orElse("<unset>");
  }
}
