package io.switchboard.presence;

import io.switchboard.core.text.Xml;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The body of a resource list's NOTIFY (RFC 4662 §5): a {@code multipart/related} body (RFC 2387)
 * whose root is the RLMI document ({@code application/rlmi+xml}) listing each resource and its
 * instance, then one part per resource instance that has state, its Content-ID named by the
 * instance's {@code cid}. Pure: bytes out.
 *
 * <table>
 *   <caption>Instance states (RFC 4662 §5.2)</caption>
 *   <tr><th>state</th><th>when</th><th>part</th></tr>
 *   <tr><td>active</td><td>the owner may see the buddy (allowed, or polite-blocked: offline)</td><td>its document</td></tr>
 *   <tr><td>pending</td><td>the buddy has not decided yet (confirm)</td><td>none</td></tr>
 * </table>
 */
final class Rlmi {

  static final String NS = "urn:ietf:params:xml:ns:rlmi";
  static final String TYPE = "application/rlmi+xml";

  private Rlmi() {
  }

  /** One resource instance's document, a body part. */
  record Part(String contentId, String contentType, byte[] body) {
  }

  /**
   * One resource of the list.
   *
   * @param state {@code active} or {@code pending}
   * @param part its document, or null (pending)
   */
  record Resource(String uri, String name, String instanceId, String state, Part part) {
  }

  /** The RLMI document (RFC 4662 §5.2). */
  static byte[] document(String listUri, long version, boolean fullState, String listName, List<Resource> resources) {
    StringBuilder x = new StringBuilder(256 + 160 * resources.size());
    x.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
        .append("<list xmlns=\"").append(NS).append("\" uri=\"").append(Xml.escape(listUri))
        .append("\" version=\"").append(version).append("\" fullState=\"").append(fullState).append("\">\n");
    if (listName != null) {
      x.append("  <name>").append(Xml.escape(listName)).append("</name>\n");
    }
    for (Resource r : resources) {
      x.append("  <resource uri=\"").append(Xml.escape(r.uri())).append("\">\n");
      if (r.name() != null && !r.name().isEmpty()) {
        x.append("    <name>").append(Xml.escape(r.name())).append("</name>\n");
      }
      x.append("    <instance id=\"").append(Xml.escape(r.instanceId())).append("\" state=\"").append(r.state()).append('"');
      if (r.part() != null) {
        x.append(" cid=\"").append(Xml.escape(r.part().contentId())).append('"');
      }
      x.append("/>\n  </resource>\n");
    }
    x.append("</list>\n");
    return x.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** The NOTIFY's Content-Type for a dialog whose bodies use this boundary (no {@code start}: the root is first). */
  static String contentType(String boundary) {
    return "multipart/related;type=\"" + TYPE + "\";boundary=\"" + boundary + "\"";
  }

  /** The multipart/related body: the RLMI document first (the root), then each resource's part. */
  static byte[] multipart(String boundary, String rlmiContentId, byte[] rlmi, List<Resource> resources) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(rlmi.length + 1024 * resources.size());
    part(out, boundary, rlmiContentId, TYPE, rlmi);
    for (Resource r : resources) {
      if (r.part() != null) {
        part(out, boundary, r.part().contentId(), r.part().contentType(), r.part().body());
      }
    }
    out.writeBytes(ascii("--" + boundary + "--\r\n"));
    return out.toByteArray();
  }

  private static void part(ByteArrayOutputStream out, String boundary, String contentId, String type, byte[] body) {
    out.writeBytes(ascii("--" + boundary + "\r\n"
        + "Content-Transfer-Encoding: binary\r\n"
        + "Content-ID: <" + contentId + ">\r\n"
        + "Content-Type: " + type + ";charset=\"UTF-8\"\r\n\r\n"));
    out.writeBytes(body);
    out.writeBytes(ascii("\r\n"));
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
