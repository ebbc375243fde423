package io.switchboard.presence;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * The documents a presence NOTIFY may carry, chosen once per subscription from its SUBSCRIBE's
 * {@code Accept} (RFC 6665 §7.2, RFC 3261 §20.1). Each format is a view key of its own in
 * {@link Composition}: rendered once per change, never per watcher.
 *
 * <table>
 *   <caption>The formats</caption>
 *   <tr><th>format</th><th>Content-Type</th><th>body</th><th>who asks for it</th></tr>
 *   <tr><td>PIDF</td><td>application/pidf+xml</td><td>RFC 3863 with the RFC 4479 person and RFC 4480
 *       activities</td><td>no Accept, a wildcard, or PIDF first (softphones, Yealink, Linphone, Jitsi)</td></tr>
 *   <tr><td>PIDF_REDUCED</td><td>application/pidf+xml</td><td>RFC 3863 only: one tuple, basic status and a
 *       note that names the state</td><td>PIDF first, and a pre-RFC format (xpidf, cpim-pidf) listed as well:
 *       firmware of the generation before RPID</td></tr>
 *   <tr><td>CPIM_PIDF</td><td>application/cpim-pidf+xml</td><td>the reduced PIDF under the type of the
 *       draft that became RFC 3863 (draft-ietf-impp-cpim-pidf)</td><td>cpim-pidf first</td></tr>
 *   <tr><td>XPIDF</td><td>application/xpidf+xml</td><td>{@link Xpidf}</td><td>xpidf first (older Cisco,
 *       Polycom and Snom firmware)</td></tr>
 * </table>
 */
enum PresenceFormat {
  PIDF("application", "pidf+xml"),
  PIDF_REDUCED("application", "pidf+xml"),
  CPIM_PIDF("application", "cpim-pidf+xml"),
  XPIDF("application", "xpidf+xml");

  final String type;
  final String subType;

  PresenceFormat(String type, String subType) {
    this.type = type;
    this.subType = subType;
  }

  /** The document of this format for one view of the presentity. */
  /** Whether the format shows the presentity's devices (full PIDF only): the others' watchers are not told of a device change. */
  boolean showsDevices() {
    return this == PIDF;
  }

  byte[] render(String presentity, String presentityUri, PresenceView view) {
    return switch (this) {
      case PIDF -> Pidf.render(presentityUri, view);
      case PIDF_REDUCED, CPIM_PIDF -> Pidf.renderReduced(presentityUri, view);
      case XPIDF -> Xpidf.render(presentityUri, presentity, view);
    };
  }

  /**
   * The format for a SUBSCRIBE's {@code Accept} entries ({@code type/subtype;params}, in their
   * order): the most preferred one (highest q, then the first listed) that we write; none listed
   * means PIDF. A wildcard stands for PIDF.
   *
   * @return null when nothing listed is a presence format of ours (415/406 territory)
   */
  static PresenceFormat choose(List<String> accept) {
    if (accept.isEmpty()) {
      return PIDF;
    }
    List<Range> ranges = new ArrayList<>();
    for (int i = 0; i < accept.size(); i++) {
      Range r = Range.parse(accept.get(i), i);
      if (r != null && r.q > 0) {
        ranges.add(r);
      }
    }
    boolean older = ranges.stream().anyMatch(r -> r.is("application", "xpidf+xml") || r.is("application", "cpim-pidf+xml"));
    ranges.sort(Comparator.comparingDouble((Range r) -> -r.q).thenComparingInt(r -> r.order));
    for (Range r : ranges) {
      if (r.is("application", "pidf+xml")) {
        return older ? PIDF_REDUCED : PIDF;
      }
      if (r.is("application", "xpidf+xml")) {
        return XPIDF;
      }
      if (r.is("application", "cpim-pidf+xml")) {
        return CPIM_PIDF;
      }
      if (r.is("application", "*") || r.is("*", "*")) {
        return PIDF;
      }
    }
    return null;
  }

  /** One media range of an Accept header. */
  private record Range(String type, String subType, double q, int order) {

    static Range parse(String text, int order) {
      String[] parts = text.split(";");
      String[] media = parts[0].trim().toLowerCase(Locale.ROOT).split("/", 2);
      if (media.length != 2) {
        return null;
      }
      double q = 1;
      for (int i = 1; i < parts.length; i++) {
        String p = parts[i].trim().toLowerCase(Locale.ROOT);
        if (p.startsWith("q=")) {
          try {
            q = Double.parseDouble(p.substring(2).trim());
          } catch (NumberFormatException e) {
            q = 1; // a malformed q counts as none, not as a refusal
          }
        }
      }
      return new Range(media[0].trim(), media[1].trim(), q, order);
    }

    boolean is(String t, String s) {
      return type.equals(t) && subType.equals(s);
    }
  }
}
