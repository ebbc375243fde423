package io.switchboard.core.account;

/**
 * A request value that breaks a rule, naming the field at fault (null when the request as a whole is
 * wrong). The message reads {@code "field: reason"}. Pure validation throws it; each boundary turns
 * it into its own answer once (the console's 400 with {@code "field"}, an import report's line).
 */
public final class InvalidField extends RuntimeException {

  private final String field;

  public InvalidField(String field, String message) {
    super(message, null, false, false);
    this.field = field;
  }

  /** {@code field: reason}. */
  public static InvalidField of(String field, String reason) {
    return new InvalidField(field, field + ": " + reason);
  }

  /** The field at fault; null when the request as a whole is wrong. */
  public String field() {
    return field;
  }

  /** The reason alone, without the field name in front. */
  public String reason() {
    String m = getMessage();
    return field != null && m.startsWith(field + ": ") ? m.substring(field.length() + 2) : m;
  }
}
