package io.switchboard.core.store;

/**
 * A store failure in domain terms. Driver errors are translated once, in the store, into one of
 * these kinds; the HTTP and SIP boundaries turn the kind into a status code.
 */
public final class StoreException extends RuntimeException {

  public enum Kind {
    /** The thing asked for does not exist (HTTP 404, SIP 404). */
    NOT_FOUND,
    /** A unique field is already taken (HTTP 409). {@link #field()} names it. */
    CONFLICT,
    /** The store cannot be reached (HTTP 503, SIP 503). */
    UNAVAILABLE
  }

  private final Kind kind;
  private final String field;

  public StoreException(Kind kind, String field, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
    this.field = field;
  }

  public static StoreException notFound(String message) {
    return new StoreException(Kind.NOT_FOUND, null, message, null);
  }

  public Kind kind() {
    return kind;
  }

  /** The field at fault, for conflicts; may be null. */
  public String field() {
    return field;
  }
}
