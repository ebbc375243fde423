package io.switchboard.presence;

import io.switchboard.core.text.Xml;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Renders watcher information (RFC 3858), always as a full document. Pure. */
final class WatcherInfo {

  static final String NS = "urn:ietf:params:xml:ns:watcherinfo";

  /** One watcher: who, since which subscription, and whether allowed yet. */
  record Watcher(String id, String uri, String status) {
  }

  private WatcherInfo() {
  }

  static byte[] render(String resource, long version, List<Watcher> watchers) {
    StringBuilder x = new StringBuilder(256);
    x.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
        .append("<watcherinfo xmlns=\"").append(NS).append("\" version=\"").append(version).append("\" state=\"full\">\n")
        .append("  <watcher-list resource=\"").append(Xml.escape(resource)).append("\" package=\"presence\">\n");
    for (Watcher w : watchers) {
      x.append("    <watcher id=\"").append(Xml.escape(w.id())).append("\" event=\"subscribe\" status=\"")
          .append(w.status()).append("\">").append(Xml.escape(w.uri())).append("</watcher>\n");
    }
    x.append("  </watcher-list>\n</watcherinfo>\n");
    return x.toString().getBytes(StandardCharsets.UTF_8);
  }
}
