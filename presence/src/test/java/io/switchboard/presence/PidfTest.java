package io.switchboard.presence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import javax.xml.XMLConstants;
import javax.xml.transform.stream.StreamSource;
import javax.xml.validation.Schema;
import javax.xml.validation.SchemaFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;
import org.xml.sax.SAXException;

/** Every PIDF Switchboard sends validates against RFC 3863's schema and says what it should. */
class PidfTest {

  private static final Schema PIDF = schema();

  private static Schema schema() {
    try {
      return SchemaFactory.newInstance(XMLConstants.W3C_XML_SCHEMA_NS_URI)
          .newSchema(PidfTest.class.getResource("/xsd/pidf.xsd"));
    } catch (SAXException e) {
      throw new IllegalStateException(e);
    }
  }

  static void validate(byte[] xml) throws Exception {
    PIDF.newValidator().validate(new StreamSource(new ByteArrayInputStream(xml)));
  }

  @ParameterizedTest
  @EnumSource(PresenceState.class)
  void everyStateIsValidPidf(PresenceState state) throws Exception {
    byte[] xml = Pidf.render("sip:bob@example.com", new PresenceView(state, state == PresenceState.AVAILABLE ? null : "a note"));
    validate(xml);
    String[] read = PresenceTest.pidf(new String(xml, StandardCharsets.UTF_8));
    assertEquals(state == PresenceState.OFFLINE || state == PresenceState.DND ? "closed" : "open", read[0]);
    assertEquals(Pidf.activity(state), read[1]);
    assertEquals("sip:bob@example.com", read[3]);
  }

  @ParameterizedTest
  @EnumSource(PresenceState.class)
  void everyStateIsValidReducedPidfWithoutExtensions(PresenceState state) throws Exception {
    byte[] xml = Pidf.renderReduced("sip:bob@example.com", new PresenceView(state, state == PresenceState.AWAY ? "lunch" : null));
    validate(xml);
    String text = new String(xml, StandardCharsets.UTF_8);
    assertFalse(text.contains("urn:ietf:params:xml:ns:pidf:rpid") || text.contains("data-model"), text);
    String[] read = PresenceTest.pidf(text);
    boolean closed = state == PresenceState.OFFLINE || state == PresenceState.DND || state == PresenceState.ON_THE_PHONE
        || state == PresenceState.RINGING || state == PresenceState.IN_MEETING;
    assertEquals(closed ? "closed" : "open", read[0], "closed where Asterisk's PIDF says closed");
    assertNull(read[1], "no activity");
    String expected = switch (state) {
      case AVAILABLE, OFFLINE -> null;
      case AWAY -> "Away: lunch";
      case BUSY -> "Busy";
      case DND -> "Do not disturb";
      case ON_THE_PHONE -> "On the phone";
      case RINGING -> "Ringing";
      case IN_MEETING -> "In a meeting";
    };
    assertEquals(expected, read[2], "the note names the state");
    assertEquals("sip:bob@example.com", read[3]);
  }

  @Test
  void aReducedNoteDoesNotRepeatTheState() {
    assertEquals("On the phone", Pidf.reducedNote(new PresenceView(PresenceState.ON_THE_PHONE, "On the phone")));
    assertEquals("Busy: Quarterly review", Pidf.reducedNote(new PresenceView(PresenceState.BUSY, "Quarterly review")));
    assertEquals("back at 3", Pidf.reducedNote(new PresenceView(PresenceState.AVAILABLE, "back at 3")));
  }

  @Test
  void doNotDisturbIsClosedWithItsActivityAndReadsBackAsItself() {
    PresenceView dnd = new PresenceView(PresenceState.DND, "Do not disturb");
    assertEquals(dnd, Pidf.parse(Pidf.render("sip:a@x", dnd)));
  }

  @Test
  void notesAreEscapedAndControlCharactersDropped() throws Exception {
    byte[] xml = Pidf.render("sip:bob@example.com", new PresenceView(PresenceState.AWAY, "<script>alert('x')</script> & \u0007bell"));
    validate(xml);
    String text = new String(xml, StandardCharsets.UTF_8);
    assertFalse(text.contains("<script>"), text);
    assertEquals("<script>alert('x')</script> & bell", PresenceTest.pidf(text)[2]);
  }

  @Test
  void theSchemaRejectsWhatIsNotPidf() {
    assertThrows(SAXException.class, () -> validate(
        "<presence xmlns=\"urn:ietf:params:xml:ns:pidf\"><tuple id=\"t\"><status><basic>maybe</basic></status></tuple></presence>"
            .getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void readsWhatPhonesPublish() {
    assertEquals(new PresenceView(PresenceState.ON_THE_PHONE, "x"), Pidf.parse(Pidf.render("sip:a@x",
        new PresenceView(PresenceState.ON_THE_PHONE, "x"))));
    String lunch = "<presence xmlns='urn:ietf:params:xml:ns:pidf' xmlns:rpid='urn:ietf:params:xml:ns:pidf:rpid'"
        + " entity='sip:a@x'><tuple id='t'><status><basic>open</basic></status></tuple>"
        + "<rpid:person id='p'><rpid:activities><rpid:lunch/></rpid:activities></rpid:person></presence>";
    assertEquals(PresenceState.AWAY, Pidf.parse(lunch.getBytes(StandardCharsets.UTF_8)).state());
    String closed = "<presence xmlns='urn:ietf:params:xml:ns:pidf' entity='sip:a@x'><tuple id='t'><status>"
        + "<basic>closed</basic></status></tuple></presence>";
    assertEquals(PresenceState.OFFLINE, Pidf.parse(closed.getBytes(StandardCharsets.UTF_8)).state());
  }

  /** Read as a stream, as the DOM read it: whole texts, the person's note first, every document checked to its end. */
  @Test
  void readsNotesWholeAndThePersonsFirst() {
    String doc = "<presence xmlns='urn:ietf:params:xml:ns:pidf' xmlns:dm='urn:ietf:params:xml:ns:pidf:data-model'"
        + " entity='sip:a@x'><tuple id='t'><status><basic> OPEN </basic></status><note>the tuple's</note></tuple>"
        + "<note>   </note><dm:person id='p'><dm:note>  </dm:note><dm:note>Back &amp; <![CDATA[forth]]> <b>soon</b>"
        + "</dm:note></dm:person></presence>";
    assertEquals(new PresenceView(PresenceState.AVAILABLE, "Back & forth soon"),
        Pidf.parse(doc.getBytes(StandardCharsets.UTF_8)));
    String noPerson = "<presence xmlns='urn:ietf:params:xml:ns:pidf' entity='sip:a@x'><tuple id='t'><status>"
        + "<basic>closed</basic></status><note>  </note><note>Busy</note></tuple></presence>";
    assertEquals(new PresenceView(PresenceState.DND, "Busy"), Pidf.parse(noPerson.getBytes(StandardCharsets.UTF_8)),
        "closed with a note that names a state: do not disturb, the note kept");
    assertThrows(IllegalArgumentException.class, () -> Pidf.parse((noPerson + "<presence/>").getBytes(StandardCharsets.UTF_8)),
        "a second root after the document");
  }

  @Test
  void refusesEntitiesAndWhatIsNotPidf() {
    String xxe = "<?xml version='1.0'?><!DOCTYPE p [<!ENTITY x SYSTEM 'file:///etc/passwd'>]>"
        + "<presence xmlns='urn:ietf:params:xml:ns:pidf' entity='sip:a@x'><note>&x;</note></presence>";
    assertThrows(IllegalArgumentException.class, () -> Pidf.parse(xxe.getBytes(StandardCharsets.UTF_8)));
    assertThrows(IllegalArgumentException.class, () -> Pidf.parse("<other/>".getBytes(StandardCharsets.UTF_8)));
    assertThrows(IllegalArgumentException.class, () -> Pidf.parse("not xml".getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void availableWithoutNoteHasNoPersonElement() {
    String text = new String(Pidf.render("sip:a@x", new PresenceView(PresenceState.AVAILABLE, null)), StandardCharsets.UTF_8);
    assertFalse(text.contains("dm:person"), text);
    assertNull(Pidf.activity(PresenceState.AVAILABLE));
  }

  @Test
  void oneTuplePerDeviceTheDeviceInUseFirstValidAndReadBack() throws Exception {
    PresenceView view = new PresenceView(PresenceState.AWAY, "lunch", java.util.List.of(
        new DeviceTuple("sip:bob-mobile@10.0.0.7:5060", io.switchboard.core.model.Device.Kind.MOBILE, true),
        new DeviceTuple("d-1", io.switchboard.core.model.Device.Kind.DESK_PHONE, false)));
    byte[] xml = Pidf.render("sip:bob@example.com", view);
    validate(xml);
    String text = new String(xml, StandardCharsets.UTF_8);
    assertFalse(text.contains("sb-tuple"), "the devices' tuples instead of the one without a device");
    assertTrue(text.indexOf("<rpid:class>mobile</rpid:class>") < text.indexOf("<rpid:class>desk-phone</rpid:class>"), text);
    assertTrue(text.contains("<dm:deviceID>urn:x-switchboard:device:sip%3Abob-mobile%4010.0.0.7%3A5060</dm:deviceID>"), text);
    assertTrue(text.contains("<rpid:user-input>active</rpid:user-input>"), text);
    assertTrue(text.contains("<dm:note>Desk phone</dm:note>"), text);
    assertEquals(new PresenceView(PresenceState.AWAY, "lunch"), Pidf.parse(xml), "read back as published by a client");
    assertEquals("mobile", view.toJson().getString("device"), "the console's: on mobile");
  }
}
