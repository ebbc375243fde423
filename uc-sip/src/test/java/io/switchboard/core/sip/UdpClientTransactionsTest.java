package io.switchboard.core.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.core.testing.FreePorts;
import io.switchboard.core.testing.SipTestServer;
import io.switchboard.core.testing.Sipp;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our own non-INVITE client transactions over UDP (RFC 3261 §17.1.2), driven against SIPp as the
 * device: answered at once (the answer, a response JAIN-SIP has no transaction for, reaches the
 * sender); silent for 3 s (the retransmissions on the wire T1, 3 × T1, 7 × T1 after the original, then
 * T2 apart); 100 Trying then 200 late (retransmissions every T2 only, the 200 taken); never answering
 * (the send fails after Timer F, 64 × T1, and nothing is sent after it); and the per-loop limit.
 * T1 is 200 ms and T2 800 ms here. Times are SIPp's, from its message trace: when SIPp read each
 * datagram, so a busy machine shifts one arrival against the others by a few milliseconds.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
class UdpClientTransactionsTest {

  private static final long T1 = 200;
  private static final long T2 = 800;
  /**
   * Our timers never fire early, but SIPp may read one datagram late and the next on time: a
   * retransmission may seem this much early (a fixed T1, or no T2, is off by hundreds of ms).
   */
  private static final long JITTER = 60;

  private SipTestServer server;
  private SipEdge edge;

  @BeforeEach
  void start(Vertx vertx, @TempDir Path dir) throws Exception {
    server = new SipTestServer(vertx, dir, Map.of("sip.timer.t1", String.valueOf(T1), "sip.timer.t2", String.valueOf(T2),
        "sip.client-transactions.per-loop", "2"));
    server.start().await();
    edge = server.sip.edge();
  }

  @AfterEach
  void stop() {
    server.stop().await();
  }

  @Test
  void anAnswerAtOnceCompletesTheSendWithoutAStackTransaction() throws Exception {
    int port = FreePorts.udpAndTcp();
    Sipp.Running device = Sipp.device("receive-message.xml", port, 1).start();
    Response answer = send(message(port, "at-once")).await(20, TimeUnit.SECONDS);
    assertEquals(200, answer.getStatusCode());
    assertEquals(0, edge.stackClientTransactions(), "no JAIN-SIP client transaction was made");
    assertEquals(0, edge.udpClientTransactions(), "ours is gone with its answer");
    Sipp.Result seen = device.await();
    assertTrue(seen.passed(), seen.toString());
    assertEquals(1, arrivals(seen.messages()).size(), "sent once, not retransmitted: " + seen.messages());
  }

  @Test
  void anUnansweredRequestIsRetransmittedAtT1DoublingUpToT2() throws Exception {
    int port = FreePorts.udpAndTcp();
    Sipp.Running device = Sipp.device("receive-message-answer-after-3s.xml", port, 1).start();
    Response answer = send(message(port, "late")).await(20, TimeUnit.SECONDS);
    assertEquals(200, answer.getStatusCode(), "the 200 sent after 3 s is taken");
    Sipp.Result seen = device.await();
    assertTrue(seen.passed(), seen.toString());
    List<Long> offsets = offsets(arrivals(seen.messages()));
    assertTrue(offsets.size() >= 4, "retransmitted within 3 s at 200, 600, 1400, 2200 ms: " + offsets);
    assertTimerE(offsets);
    assertEquals(0, edge.stackClientTransactions());
  }

  @Test
  void aProvisionalAnswerSlowsRetransmissionsToT2AndTheLateFinalAnswerIsTaken() throws Exception {
    int port = FreePorts.udpAndTcp();
    Sipp.Running device = Sipp.device("receive-message-trying-then-200-after-2500ms.xml", port, 1).start();
    Response answer = send(message(port, "trying")).await(20, TimeUnit.SECONDS);
    assertEquals(200, answer.getStatusCode(), "the 100 does not complete the send; the 200 after 2.5 s does");
    Sipp.Result seen = device.await();
    assertTrue(seen.passed(), seen.toString());
    List<Long> gaps = gaps(arrivals(seen.messages()));
    assertTrue(gaps.size() >= 1, "still retransmitted in Proceeding (RFC 3261 §17.1.2.2): " + seen.messages());
    // Only a Timer E that fired before we read the 100 may come at T1; from then on, T2 apart.
    int first = gaps.get(0) < T2 - JITTER ? 1 : 0;
    assertTrue(gaps.size() > first, "retransmitted in Proceeding: " + gaps);
    for (int i = first; i < gaps.size(); i++) {
      assertTrue(gaps.get(i) >= T2 - JITTER, "every T2 once the 100 came, no T1 doubling: " + gaps);
    }
  }

  @Test
  void aRequestNeverAnsweredFailsAfterTimerFAndIsNotSentAfterIt() throws Exception {
    int port = FreePorts.udpAndTcp();
    Sipp.Running device = Sipp.device("receive-message-never-answer.xml", port, 1).start();
    long started = System.nanoTime();
    Throwable failure = failure(send(message(port, "never")));
    long tookMs = (System.nanoTime() - started) / 1_000_000;
    assertTrue(failure instanceof SipSendException, String.valueOf(failure));
    assertEquals("no answer (transaction timeout)", failure.getMessage());
    assertTrue(tookMs >= 64 * T1, "failed after Timer F (" + 64 * T1 + " ms), not before: " + tookMs + " ms");
    assertEquals(0, edge.udpClientTransactions(), "gone after Timer F");
    Sipp.Result seen = device.await();
    List<Long> offsets = offsets(arrivals(seen.messages()));
    long last = offsets.get(offsets.size() - 1);
    assertTrue(last < 64 * T1 + JITTER, "nothing sent after Timer F: last of " + offsets.size() + " at " + last + " ms");
    assertTrue(offsets.size() >= 8, "retransmitted until Timer F (at 200, 600, 1400, 2200, ... 12600 ms): " + offsets);
    assertTimerE(offsets);
  }

  @Test
  void pastThePerLoopLimitASendFailsAtOnce() throws Exception {
    int port = FreePorts.udpAndTcp();
    Sipp.Running device = Sipp.device("receive-message-answer-after-3s.xml", port, 2).start();
    try {
      Promise<List<Future<Response>>> sent = Promise.promise();
      // Three sends from one context, whose limit is two (sip.client-transactions.per-loop=2).
      edge.sipContext().runOnContext(v -> sent.complete(List.of(edge.send(message(port, "one")),
          edge.send(message(port, "two")), edge.send(message(port, "three")))));
      List<Future<Response>> three = sent.future().await(20, TimeUnit.SECONDS);
      Throwable refused = failure(three.get(2));
      assertTrue(refused instanceof SipSendException, String.valueOf(refused));
      assertTrue(refused.getMessage().contains("2 requests await their answer"), refused.getMessage());
      assertEquals(200, three.get(0).await(20, TimeUnit.SECONDS).getStatusCode());
      assertEquals(200, three.get(1).await(20, TimeUnit.SECONDS).getStatusCode());
      assertTrue(server.sip.metrics().scrape().contains("switchboard_sip_client_transactions_refused_total 1.0"),
          "counted");
      // Room again once answered.
      int another = FreePorts.udpAndTcp();
      Sipp.Running next = Sipp.device("receive-message.xml", another, 1).start();
      Promise<Future<Response>> fourth = Promise.promise();
      edge.sipContext().runOnContext(v -> fourth.complete(edge.send(message(another, "four"))));
      assertEquals(200, fourth.future().await(20, TimeUnit.SECONDS).await(20, TimeUnit.SECONDS).getStatusCode());
      assertTrue(next.await().passed());
    } finally {
      device.stop();
    }
  }

  @Test
  void aRequestSentAsBytesIsAnsweredWithoutTheStackParsingTheAnswer() throws Exception {
    int port = FreePorts.udpAndTcp();
    Sipp.Running device = Sipp.device("receive-message.xml", port, 1).start();
    long before = edge.answersTakenUnparsed();
    assertEquals(200, sendBytes(message(port, "bytes"), port).await(20, TimeUnit.SECONDS));
    assertEquals(before + 1, edge.answersTakenUnparsed(), "the 200 was matched from its datagram");
    assertEquals(0, edge.stackClientTransactions(), "no JAIN-SIP client transaction was made");
    assertEquals(0, edge.udpClientTransactions(), "ours is gone with its answer");
    Sipp.Result seen = device.await();
    assertTrue(seen.passed(), seen.toString());
    assertEquals(1, arrivals(seen.messages()).size(), "sent once, not retransmitted: " + seen.messages());
    assertTrue(seen.messages().contains("hello bytes"), "the bytes reached the device as they were: " + seen.messages());
  }

  @Test
  void aRequestSentAsBytesIsRetransmittedAndItsProvisionalAnswerSlowsThat() throws Exception {
    int port = FreePorts.udpAndTcp();
    Sipp.Running device = Sipp.device("receive-message-trying-then-200-after-2500ms.xml", port, 1).start();
    long before = edge.answersTakenUnparsed();
    assertEquals(200, sendBytes(message(port, "bytes-trying"), port).await(20, TimeUnit.SECONDS),
        "the 100 does not complete the send; the 200 after 2.5 s does");
    assertTrue(edge.answersTakenUnparsed() >= before + 2, "the 100 and the 200 were matched from their datagrams");
    Sipp.Result seen = device.await();
    assertTrue(seen.passed(), seen.toString());
    List<Long> gaps = gaps(arrivals(seen.messages()));
    int first = !gaps.isEmpty() && gaps.get(0) < T2 - JITTER ? 1 : 0;
    assertTrue(gaps.size() > first, "retransmitted in Proceeding: " + seen.messages());
    for (int i = first; i < gaps.size(); i++) {
      assertTrue(gaps.get(i) >= T2 - JITTER, "every T2 once the 100 came, no T1 doubling: " + gaps);
    }
  }

  @Test
  void aMessageSentForItsStatusLeavesAsBytesToTheNatSourceAndItsAnswerIsReadUnparsed() throws Exception {
    int port = FreePorts.udpAndTcp();
    Sipp.Running device = Sipp.device("receive-message.xml", port, 1).start();
    long before = edge.answersTakenUnparsed();
    // The contact names an address nobody listens on; the REGISTER came from SIPp's port (behind NAT).
    Binding behindNat = new Binding("dev", "sip:dev@192.0.2.7:5062", "sip:dev@192.0.2.7:5062", Instant.now().plusSeconds(60),
        "c-nat", 1, 1f, "SIPp", List.of(), "udp", "127.0.0.1:" + port, null);
    assertEquals(200, sendForStatus(message(behindNat, "for-status"), behindNat).status().await(20, TimeUnit.SECONDS));
    assertEquals(before + 1, edge.answersTakenUnparsed(), "the 200 was matched from its datagram");
    assertEquals(0, edge.stackClientTransactions(), "no JAIN-SIP client transaction was made");
    assertEquals(0, edge.udpClientTransactions(), "ours is gone with its answer");
    Sipp.Result seen = device.await();
    assertTrue(seen.passed(), seen.toString());
    assertEquals(1, arrivals(seen.messages()).size(), "sent once: " + seen.messages());
    assertTrue(seen.messages().contains("hello for-status"), seen.messages());
    assertTrue(seen.messages().contains("MESSAGE sip:dev@192.0.2.7:5062 SIP/2.0"), "to the contact, by the Route: " + seen.messages());
  }

  @Test
  void aMessageSentForItsStatusAndStoppedIsNotRetransmittedAndFails() throws Exception {
    try (io.switchboard.core.testing.RawSip phone = new io.switchboard.core.testing.RawSip(server.sipPort())) {
      Binding direct = device(phone.localPort(), "stopped");
      Request request = message(direct, "stopped");
      // Stopped in the same event-loop task that sent it: before any Timer E can fire.
      Promise<OutgoingStatus> sent = Promise.promise();
      edge.contexts().get(edge.contexts().size() - 1).runOnContext(v -> {
        OutgoingStatus sending = edge.startForStatus(request, direct);
        sending.stop().run();
        sent.complete(sending);
      });
      OutgoingStatus sending = sent.future().await(20, TimeUnit.SECONDS);
      Throwable failure = failure(sending.status().map(status -> (Response) null));
      assertTrue(failure instanceof SipSendException, String.valueOf(failure));
      assertEquals("terminated before an answer", failure.getMessage());
      assertEquals(0, edge.udpClientTransactions(), "gone once stopped");
      String first = phone.receive();
      assertTrue(first != null && first.startsWith("MESSAGE ") && first.contains("hello stopped"), String.valueOf(first));
      assertEquals(null, phone.receive(), "nothing more in 5 s, where Timer E would have resent it 7 times");
    }
  }

  @Test
  void onlyUdpToAnAddressNeedsNoRouter() throws Exception {
    assertEquals(new java.net.InetSocketAddress("127.0.0.1", 5070),
        SipEdge.datagramTarget(message(device(5070, "plain"), "plain")));
    Binding nat = new Binding("dev", "sip:dev@10.1.2.3", "sip:dev@10.1.2.3", Instant.now().plusSeconds(60), "c-n", 1, 1f,
        "x", List.of(), "udp", "127.0.0.2:40000", null);
    assertEquals(new java.net.InetSocketAddress("127.0.0.2", 40000), SipEdge.datagramTarget(message(nat, "nat")), "the Route");
    Binding v6 = new Binding("dev", "sip:dev@[::1]:5099", "sip:dev@[::1]:5099", Instant.now().plusSeconds(60), "c-6", 1, 1f,
        "x", List.of(), "udp", "[::1]:5099", null);
    assertEquals(new java.net.InetSocketAddress("::1", 5099), SipEdge.datagramTarget(message(v6, "v6")));
    Binding named = new Binding("dev", "sip:dev@phone.example.com", "sip:dev@phone.example.com", Instant.now().plusSeconds(60),
        "c-h", 1, 1f, "x", List.of(), "udp", null, null);
    assertEquals(null, SipEdge.datagramTarget(message(named, "named")), "a host name: the stack resolves it");
    Binding tcp = new Binding("dev", "sip:dev@127.0.0.1:5070", "sip:dev@127.0.0.1:5070", Instant.now().plusSeconds(60),
        "c-t", 1, 1f, "x", List.of(), "tcp", "127.0.0.1:5070", null);
    assertEquals(null, SipEdge.datagramTarget(message(tcp, "tcp")), "over TCP");
    Request invite = message(device(5070, "invite"), "invite");
    invite.setMethod(Request.INVITE);
    assertEquals(null, SipEdge.datagramTarget(invite), "INVITE keeps the stack's transaction");
  }

  /** Sends for the status only (as DeviceDelivery does), on one of the SIP contexts. */
  private OutgoingStatus sendForStatus(Request request, Binding device) throws Exception {
    Promise<OutgoingStatus> sent = Promise.promise();
    edge.contexts().get(edge.contexts().size() - 1).runOnContext(v -> sent.complete(edge.startForStatus(request, device)));
    return sent.future().await(20, TimeUnit.SECONDS);
  }

  /** Sends a request as its bytes (as Notifier sends NOTIFYs), on one of the SIP contexts. */
  private Future<Integer> sendBytes(Request request, int devicePort) {
    Promise<Integer> answer = Promise.promise();
    String branch = ((javax.sip.header.ViaHeader) request.getHeader(javax.sip.header.ViaHeader.NAME)).getBranch();
    byte[] bytes = request.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    edge.contexts().get(edge.contexts().size() - 1).runOnContext(v -> edge.sendDatagram(bytes, branch,
        request.getMethod(), new java.net.InetSocketAddress("127.0.0.1", devicePort)).onComplete(answer));
    return answer.future();
  }

  /** Sends on one of the SIP contexts, as Notifier and DeviceDelivery do. */
  private Future<Response> send(Request request) {
    Promise<Response> answer = Promise.promise();
    edge.contexts().get(edge.contexts().size() - 1).runOnContext(v -> edge.send(request).onComplete(answer));
    return answer.future();
  }

  private static Throwable failure(Future<Response> f) throws Exception {
    try {
      Response r = f.await(30, TimeUnit.SECONDS);
      throw new AssertionError("answered " + r.getStatusCode());
    } catch (java.util.concurrent.TimeoutException e) {
      throw e;
    } catch (AssertionError e) {
      throw e;
    } catch (Exception e) {
      return e;
    }
  }

  private Request message(int devicePort, String tag) {
    return message(device(devicePort, tag), tag);
  }

  private static Binding device(int devicePort, String tag) {
    return new Binding("dev", "sip:dev@127.0.0.1:" + devicePort, "sip:dev@127.0.0.1:" + devicePort,
        Instant.now().plusSeconds(60), "c-" + tag, 1, 1f, "SIPp", List.of(), "udp", null, null);
  }

  private Request message(Binding device, String tag) {
    try {
      var f = edge.factories();
      Request request = edge.requestToDevice(Request.MESSAGE, device,
          f.addresses().createAddress(f.addresses().createSipURI("alice", server.domain())),
          f.addresses().createAddress(f.addresses().createSipURI("dev", server.domain())));
      request.setContent("hello " + tag, f.headers().createContentTypeHeader("text", "plain"));
      return request;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static final Pattern RECEIVED_MESSAGE = Pattern.compile(
      "-{20,} (\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d+)[^\\n]*\\nUDP message received [^\\n]*\\n\\nMESSAGE ");
  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS");

  /** When each MESSAGE (the original and its retransmissions) reached SIPp, in order. */
  private static List<Instant> arrivals(String trace) {
    List<Instant> out = new ArrayList<>();
    Matcher m = RECEIVED_MESSAGE.matcher(trace);
    while (m.find()) {
      out.add(LocalDateTime.parse(m.group(1), STAMP).toInstant(java.time.ZoneOffset.UTC));
    }
    assertTrue(!out.isEmpty(), "the device saw the MESSAGE: " + trace);
    return out;
  }

  /**
   * Retransmission k (from 1) leaves, by Timer E, no earlier than the sum of the waits before it after
   * the original: T1, 2 × T1, 4 × T1, then T2 each.
   */
  private static void assertTimerE(List<Long> offsets) {
    long due = 0;
    for (int k = 1; k < offsets.size(); k++) {
      due += Math.min(T1 << (k - 1), T2);
      assertTrue(offsets.get(k) >= due - JITTER, "retransmission " + k + " not before " + due + " ms: " + offsets);
    }
  }

  /** Milliseconds from the first arrival to each (the first is 0). */
  private static List<Long> offsets(List<Instant> arrivals) {
    List<Long> out = new ArrayList<>();
    for (Instant at : arrivals) {
      out.add(Duration.between(arrivals.get(0), at).toMillis());
    }
    return out;
  }

  /** Milliseconds between consecutive arrivals. */
  private static List<Long> gaps(List<Instant> arrivals) {
    List<Long> out = new ArrayList<>();
    for (int i = 1; i < arrivals.size(); i++) {
      out.add(Duration.between(arrivals.get(i - 1), arrivals.get(i)).toMillis());
    }
    return out;
  }
}
