package io.switchboard.presence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The resource list codec (RFC 4662 §5) and the list URI pattern, without Vert.x or sockets. */
class RlmiTest {

  private static final byte[] PIDF = Pidf.render("sip:bob@example.com", new PresenceView(PresenceState.AVAILABLE, "in"));

  @Test
  void aNotifyBodyIsTheRlmiRootThenOnePartPerInstanceNamedByItsCid() throws Exception {
    List<Rlmi.Resource> resources = List.of(
        new Rlmi.Resource("sip:bob@example.com", "Bob & Co", "i1", "active",
            new Rlmi.Part("p1@example.com", "application/pidf+xml", PIDF)),
        new Rlmi.Resource("sip:erin@example.com", null, "i2", "pending", null));
    byte[] rlmi = Rlmi.document("sip:alice-buddies@example.com", 7, false, null, resources);
    byte[] body = Rlmi.multipart("b0undary", "root@example.com", rlmi, resources);

    RlmiReader.ListNotify read = RlmiReader.read(Rlmi.contentType("b0undary"), new String(body, StandardCharsets.UTF_8));
    assertEquals("sip:alice-buddies@example.com", read.uri());
    assertEquals(7, read.version());
    assertFalse(read.fullState());
    RlmiReader.Resource bob = read.resource("sip:bob@example.com");
    assertEquals("Bob & Co", bob.name(), "escaped and read back");
    assertEquals(List.of("i1", "active"), List.of(bob.instanceId(), bob.state()));
    assertEquals(new String(PIDF, StandardCharsets.UTF_8), bob.part().body(), "the document byte for byte");
    RlmiReader.Resource erin = read.resource("sip:erin@example.com");
    assertEquals("pending", erin.state());
    assertNull(erin.part());
    assertNull(erin.name());
  }

  @Test
  void theContentTypeNamesTheRootTypeAndTheBoundary() {
    assertEquals("multipart/related;type=\"application/rlmi+xml\";boundary=\"xyz\"", Rlmi.contentType("xyz"));
  }

  @Test
  void listUrisReadAsTheWholeListFirstThenAGroup() {
    assertEquals(List.of(new BuddyListUri("alice", null)), BuddyListUri.candidates("{user}-buddies", "alice-buddies"));
    assertEquals(List.of(new BuddyListUri("alice", "sales-team")),
        BuddyListUri.candidates("{user}-buddies", "alice-buddies-sales-team"));
    assertEquals(List.of(new BuddyListUri("1001", null)), BuddyListUri.candidates("{user}-buddies", "1001-buddies"));
    assertTrue(BuddyListUri.candidates("{user}-buddies", "alice").isEmpty());
    assertTrue(BuddyListUri.candidates("{user}-buddies", "-buddies").isEmpty(), "no owner");
    assertTrue(BuddyListUri.candidates("{user}-buddies", "alice-buddies-").isEmpty(), "no group");
    // A prefix pattern: the owner may contain the separator, so each reading is offered, whole list first.
    assertEquals(List.of(new BuddyListUri("jean-luc", null), new BuddyListUri("jean", "luc")),
        BuddyListUri.candidates("blf-{user}", "blf-jean-luc"));
  }
}
