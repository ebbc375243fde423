package io.switchboard.presence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Reads a resource list NOTIFY's body as a subscriber does (RFC 4662 §5, RFC 2387): the boundary
 * from the Content-Type, each part's headers and body, the RLMI root, and each instance's part by
 * its cid. Checks the structure on the way; a test asserts the content.
 */
final class RlmiReader {

  record Part(String contentType, String body) {
  }

  /** A resource of the list as the RLMI names it, with its instance's part (null when it has none). */
  record Resource(String uri, String name, String instanceId, String state, Part part) {
  }

  record ListNotify(String uri, long version, boolean fullState, List<Resource> resources) {

    Resource resource(String uri) {
      return resources.stream().filter(r -> r.uri().equals(uri)).findFirst().orElse(null);
    }

    List<String> uris() {
      return resources.stream().map(Resource::uri).toList();
    }
  }

  private static final Pattern BOUNDARY = Pattern.compile("boundary=\"?([^\";]+)\"?", Pattern.CASE_INSENSITIVE);

  private RlmiReader() {
  }

  static ListNotify read(String contentType, String body) throws Exception {
    String ct = contentType.toLowerCase(Locale.ROOT).replace(" ", "");
    assertTrue(ct.startsWith("multipart/related;") && ct.contains("type=\"application/rlmi+xml\""), contentType);
    Matcher m = BOUNDARY.matcher(contentType);
    assertTrue(m.find(), contentType);
    String boundary = m.group(1);
    String delimiter = "--" + boundary;
    assertTrue(body.endsWith(delimiter + "--\r\n") || body.endsWith(delimiter + "--"), "closing delimiter: " + body);
    String[] chunks = body.substring(0, body.lastIndexOf(delimiter + "--")).split(Pattern.quote(delimiter + "\r\n"), -1);
    assertEquals("", chunks[0], "nothing before the first part");
    Map<String, Part> byCid = new LinkedHashMap<>();
    String rootCid = null;
    for (int i = 1; i < chunks.length; i++) {
      String chunk = chunks[i];
      int blank = chunk.indexOf("\r\n\r\n");
      assertTrue(blank > 0, "a part with headers: " + chunk);
      Map<String, String> headers = new LinkedHashMap<>();
      for (String line : chunk.substring(0, blank).split("\r\n")) {
        int colon = line.indexOf(':');
        headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
      }
      String partBody = chunk.substring(blank + 4);
      assertTrue(partBody.endsWith("\r\n"), "the CRLF before the next delimiter");
      partBody = partBody.substring(0, partBody.length() - 2);
      String cid = headers.get("content-id");
      assertNotNull(cid, "every part has a Content-ID: " + headers);
      assertTrue(cid.startsWith("<") && cid.endsWith(">"), cid);
      cid = cid.substring(1, cid.length() - 1);
      if (rootCid == null) {
        rootCid = cid;
      }
      byCid.put(cid, new Part(headers.get("content-type").split(";")[0].trim(), partBody));
    }
    Part root = byCid.remove(rootCid);
    assertEquals("application/rlmi+xml", root.contentType(), "the RLMI document is the root, first");
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setNamespaceAware(true);
    Document d = f.newDocumentBuilder().parse(new ByteArrayInputStream(root.body().getBytes(StandardCharsets.UTF_8)));
    Element list = d.getDocumentElement();
    assertEquals("list", list.getLocalName());
    assertEquals(Rlmi.NS, list.getNamespaceURI());
    List<Resource> resources = new ArrayList<>();
    NodeList rs = list.getElementsByTagNameNS(Rlmi.NS, "resource");
    for (int i = 0; i < rs.getLength(); i++) {
      Element r = (Element) rs.item(i);
      NodeList names = r.getElementsByTagNameNS(Rlmi.NS, "name");
      NodeList instances = r.getElementsByTagNameNS(Rlmi.NS, "instance");
      assertEquals(1, instances.getLength(), "one instance per resource");
      Element instance = (Element) instances.item(0);
      String cid = instance.getAttribute("cid");
      Part part = cid.isEmpty() ? null : byCid.remove(cid);
      assertTrue(cid.isEmpty() || part != null, "the cid " + cid + " names a part");
      resources.add(new Resource(r.getAttribute("uri"), names.getLength() == 0 ? null : names.item(0).getTextContent(),
          instance.getAttribute("id"), instance.getAttribute("state"), part));
    }
    assertTrue(byCid.isEmpty(), "every part is named by an instance: " + byCid.keySet());
    return new ListNotify(list.getAttribute("uri"), Long.parseLong(list.getAttribute("version")),
        Boolean.parseBoolean(list.getAttribute("fullState")), resources);
  }
}
