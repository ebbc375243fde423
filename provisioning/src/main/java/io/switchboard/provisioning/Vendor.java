package io.switchboard.provisioning;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The phone vendors Switchboard provisions, the file names their phones ask for at boot, and the
 * event of the SIP NOTIFY that makes them fetch again. A file is either common to every phone of
 * the vendor (no MAC in its name), a master that lists further files (Polycom), or the phone's own.
 */
public enum Vendor {
  /** {@code y000000000000.cfg}, then {@code <mac>.cfg} (lower case). */
  YEALINK(false, "check-sync;reboot=false",
      new FilePattern("y000000000000\\.cfg", "common", -1, -1),
      new FilePattern("([0-9a-f]{12})\\.cfg", "phone", 1, -1)),
  /** {@code 000000000000.cfg} or {@code <mac>.cfg} (masters listing CONFIG_FILES), then {@code phone-<mac>.cfg}. */
  POLYCOM(true, "check-sync;reboot=false",
      new FilePattern("000000000000\\.cfg", "master", -1, -1),
      new FilePattern("([0-9a-f]{12})\\.cfg", "master", 1, -1),
      new FilePattern("phone-([0-9a-f]{12})\\.cfg", "phone", 1, -1)),
  /** Cisco SPA and MPP: {@code spa<mac>.xml}. */
  CISCO(true, "resync",
      new FilePattern("spa([0-9a-f]{12})\\.xml", "phone", 1, -1)),
  /** {@code snom<model>.htm}, then {@code snom<model>-<MAC>.htm} (upper case). */
  SNOM(true, "check-sync;reboot=false",
      new FilePattern("snom([A-Za-z0-9]+)-([0-9A-F]{12})\\.htm", "phone", 2, 1),
      new FilePattern("snom([A-Za-z0-9]+)\\.htm", "common", -1, 1)),
  /** {@code cfg<mac>.xml} with P-values. */
  GRANDSTREAM(true, "check-sync",
      new FilePattern("cfg([0-9a-f]{12})(?:\\.xml)?", "phone", 1, -1));

  /** A file name a phone asks for: which template answers it, and where the MAC and model are in it. */
  record FilePattern(String regex, String template, int macGroup, int modelGroup) {
  }

  /** What a phone asked for. */
  public record FileRequest(Vendor vendor, String template, String mac, String model) {
  }

  private final boolean xml;
  private final String checkSyncEvent;
  private final FilePattern[] files;
  private final Pattern[] compiled;

  Vendor(boolean xml, String checkSyncEvent, FilePattern... files) {
    this.xml = xml;
    this.checkSyncEvent = checkSyncEvent;
    this.files = files;
    this.compiled = new Pattern[files.length];
    for (int i = 0; i < files.length; i++) {
      compiled[i] = Pattern.compile(files[i].regex());
    }
  }

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** @return empty for a vendor Switchboard does not provision */
  public static Optional<Vendor> fromWire(String s) {
    for (Vendor v : values()) {
      if (v.wireName().equals(s)) {
        return Optional.of(v);
      }
    }
    return Optional.empty();
  }

  /** Whether its files are XML (values escaped as XML) or key = value lines. */
  public boolean xml() {
    return xml;
  }

  /**
   * The {@code Event} of the NOTIFY that makes the phone fetch its files again; {@code reboot=false}
   * where the vendor would otherwise restart (Yealink, Polycom, Snom).
   */
  public String checkSyncEvent() {
    return checkSyncEvent;
  }

  /** The templates this vendor's files are rendered from. */
  public java.util.List<String> templates() {
    return java.util.Arrays.stream(files).map(FilePattern::template).distinct().toList();
  }

  /** The file a phone of this vendor asked for, with its MAC normalised to lower case; empty when it is none of them. */
  public Optional<FileRequest> resolve(String fileName) {
    for (int i = 0; i < files.length; i++) {
      Matcher m = compiled[i].matcher(fileName);
      if (m.matches()) {
        FilePattern f = files[i];
        String mac = f.macGroup() < 0 ? null : m.group(f.macGroup()).toLowerCase(Locale.ROOT);
        String model = f.modelGroup() < 0 ? null : m.group(f.modelGroup());
        return Optional.of(new FileRequest(this, f.template(), mac, model));
      }
    }
    return Optional.empty();
  }

  /** The MAC in a file name any vendor's phone asks for; empty for common files and names that are none. */
  public static Optional<String> macIn(String fileName) {
    for (Vendor v : values()) {
      Optional<FileRequest> r = v.resolve(fileName);
      if (r.isPresent() && r.get().mac() != null) {
        return Optional.of(r.get().mac());
      }
    }
    return Optional.empty();
  }

  /** The name of the phone's own first file, as its provisioning URL ends in the API. */
  public String firstFile(String mac, String model) {
    return switch (this) {
      case YEALINK, POLYCOM -> mac + ".cfg";
      case CISCO -> "spa" + mac + ".xml";
      case SNOM -> "snom" + (model == null ? "" : model.toLowerCase(Locale.ROOT)) + "-" + mac.toUpperCase(Locale.ROOT) + ".htm";
      case GRANDSTREAM -> "cfg" + mac + ".xml";
    };
  }
}
