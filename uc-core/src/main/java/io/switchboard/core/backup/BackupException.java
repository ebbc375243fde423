package io.switchboard.core.backup;

/** Why a restore was refused: the archive, or the target store. */
public final class BackupException extends RuntimeException {

  public enum Kind {
    /** Not a complete Switchboard backup, or of a format this version does not read. */
    BAD_ARCHIVE,
    /** The target database holds documents and {@code --force} was not given. */
    NOT_EMPTY
  }

  private final Kind kind;

  public BackupException(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
