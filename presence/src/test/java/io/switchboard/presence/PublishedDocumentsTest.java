package io.switchboard.presence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * PUBLISH bodies as the common clients write them (test resources {@code publish/}, each with where
 * it comes from in {@code publish/README.md}), each read into the state and note its client means.
 */
class PublishedDocumentsTest {

  static byte[] resource(String name) throws IOException {
    try (InputStream in = PublishedDocumentsTest.class.getResourceAsStream("/publish/" + name)) {
      assertNotNull(in, name);
      return in.readAllBytes();
    }
  }

  @ParameterizedTest(name = "{0} is {1}")
  @CsvSource(nullValues = "-", value = {
      "linphone-5.1-dnd.xml, DND, Do not disturb",
      "linphone-5.1-busy.xml, BUSY, -",
      "baresip-open.xml, AVAILABLE, -",
      "baresip-closed.xml, OFFLINE, -",
      "zoiper-5-online.xml, AVAILABLE, Online",
      "jitsi-on-the-phone.xml, ON_THE_PHONE, On the phone",
      "jitsi-away.xml, AWAY, Away",
      "eyebeam-rpid-draft-busy.xml, BUSY, Busy",
      "desk-phone-note-dnd.xml, DND, Do Not Disturb",
      "two-devices-one-on-the-phone.xml, ON_THE_PHONE, Call with a customer",
  })
  void eachClientsDocumentMeansWhatItsClientShows(String file, PresenceState state, String note) throws IOException {
    assertEquals(new PresenceView(state, note), Pidf.parse(resource(file)));
  }

  @ParameterizedTest(name = "{0} and {1}: {2}")
  @CsvSource({
      // basic, activity, state: RFC 4479's merge of the services' status and the person's activity
      "open, -, AVAILABLE",
      "closed, -, OFFLINE",
      "open, away, AWAY",
      "open, lunch, AWAY",
      "open, meeting, BUSY",
      "open, on-the-phone, ON_THE_PHONE",
      "closed, away, DND",
      "closed, busy, DND",
      "closed, on-the-phone, ON_THE_PHONE",
  })
  void basicStatusAndActivityMerge(String basic, String activity, PresenceState state) {
    String person = activity.equals("-") ? ""
        : "<dm:person id='p'><rpid:activities><rpid:" + activity + "/></rpid:activities></dm:person>";
    String doc = "<presence xmlns='urn:ietf:params:xml:ns:pidf' xmlns:dm='urn:ietf:params:xml:ns:pidf:data-model'"
        + " xmlns:rpid='urn:ietf:params:xml:ns:pidf:rpid' entity='sip:a@x'><tuple id='t'><status><basic>" + basic
        + "</basic></status></tuple>" + person + "</presence>";
    assertEquals(state, Pidf.parse(doc.getBytes(java.nio.charset.StandardCharsets.UTF_8)).state());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
      "Do not disturb, DND",
      "DND, DND",
      "Be Right Back, AWAY",
      "Out To Lunch, AWAY",
      "In a meeting, BUSY",
      "On The Phone, ON_THE_PHONE",
  })
  void aNoteThatIsAStatesNameStandsForIt(String note, PresenceState state) {
    String doc = "<presence xmlns='urn:ietf:params:xml:ns:pidf' entity='sip:a@x'><tuple id='t'><status><basic>open"
        + "</basic></status><note>" + note + "</note></tuple></presence>";
    assertEquals(state, Pidf.parse(doc.getBytes(java.nio.charset.StandardCharsets.UTF_8)).state());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"Do not disturb, DND", "Busy, BUSY", "Away, AWAY", "Skiing, AVAILABLE"})
  void rpidOtherIsReadByItsText(String other, PresenceState state) {
    String doc = "<presence xmlns='urn:ietf:params:xml:ns:pidf' xmlns:dm='urn:ietf:params:xml:ns:pidf:data-model'"
        + " xmlns:rpid='urn:ietf:params:xml:ns:pidf:rpid' entity='sip:a@x'><tuple id='t'><status><basic>open"
        + "</basic></status></tuple><dm:person id='p'><rpid:activities><rpid:other>" + other
        + "</rpid:other></rpid:activities></dm:person></presence>";
    assertEquals(state, Pidf.parse(doc.getBytes(java.nio.charset.StandardCharsets.UTF_8)).state());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"Back at 3", "Working from home", "Online"})
  void anyOtherNoteIsJustANote(String note) {
    String doc = "<presence xmlns='urn:ietf:params:xml:ns:pidf' entity='sip:a@x'><tuple id='t'><status><basic>open"
        + "</basic></status><note>" + note + "</note></tuple></presence>";
    assertEquals(new PresenceView(PresenceState.AVAILABLE, note),
        Pidf.parse(doc.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
  }
}
