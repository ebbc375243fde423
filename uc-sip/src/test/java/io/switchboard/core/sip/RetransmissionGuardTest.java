package io.switchboard.core.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.switchboard.core.testing.SettableClock;
import io.vertx.core.Future;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sip.SipFactory;
import javax.sip.message.Request;
import org.junit.jupiter.api.Test;

/**
 * {@link RetransmissionGuard}: a retransmission within 32 s gets the original's answer without a second
 * handling; what is older than 32 s is forgotten by the purge, oldest first, and what is younger kept.
 */
class RetransmissionGuardTest {

  private static SipRequest message(String callId, String branch) throws Exception {
    Request r = SipFactory.getInstance().createMessageFactory().createRequest(
        "MESSAGE sip:bob@uc.test SIP/2.0\r\n"
            + "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=" + branch + "\r\n"
            + "From: <sip:alice@uc.test>;tag=a1\r\n"
            + "To: <sip:bob@uc.test>\r\n"
            + "Call-ID: " + callId + "\r\n"
            + "CSeq: 2 MESSAGE\r\n"
            + "Max-Forwards: 70\r\n"
            + "Content-Length: 0\r\n\r\n");
    return new SipRequest(r, null, "127.0.0.1", 5070, "udp");
  }

  @Test
  void retransmissionsAnsweredAgainAndOldRequestsForgotten() throws Exception {
    SettableClock clock = new SettableClock(Instant.parse("2026-11-30T12:00:00Z"));
    AtomicInteger handled = new AtomicInteger();
    RetransmissionGuard guard = new RetransmissionGuard(req -> {
      handled.incrementAndGet();
      return Future.succeededFuture(SipOutcome.reply(200));
    }, clock);

    guard.handle(message("a", "z9hG4bKa"));
    clock.advance(Duration.ofSeconds(1));
    assertEquals(200, ((SipOutcome.Reply) guard.handle(message("a", "z9hG4bKa")).result()).status());
    assertEquals(1, handled.get(), "a retransmission is not handled again");

    clock.advance(Duration.ofSeconds(19)); // 20 s
    guard.handle(message("b", "z9hG4bKb"));
    clock.advance(Duration.ofSeconds(13)); // 33 s: a is past the window, b is not
    guard.handle(message("c", "z9hG4bKc"));
    assertEquals(3, handled.get());
    assertEquals(2, guard.remembered(), "a forgotten, b and c kept");

    guard.handle(message("b", "z9hG4bKb"));
    assertEquals(3, handled.get(), "b still answered from memory");
    guard.handle(message("a", "z9hG4bKa"));
    assertEquals(4, handled.get(), "a after the window is a new request");

    clock.advance(Duration.ofSeconds(40));
    guard.handle(message("d", "z9hG4bKd"));
    assertEquals(1, guard.remembered(), "only d left");
  }

  /**
   * The window keeps the outcome, not the handler's future: a composed future keeps its mapper, and the mapper
   * what it captured (in the server: the parsed request and the stack's transaction, 32 s at thousands a second).
   */
  @Test
  void aRememberedAnswerDoesNotKeepWhatTheHandlerCaptured() throws Exception {
    SettableClock clock = new SettableClock(Instant.parse("2026-11-30T12:00:00Z"));
    java.lang.ref.ReferenceQueue<Object> collected = new java.lang.ref.ReferenceQueue<>();
    java.util.List<java.lang.ref.WeakReference<Object>> captured = new java.util.ArrayList<>();
    io.vertx.core.Promise<Void> pending = io.vertx.core.Promise.promise();
    RetransmissionGuard guard = new RetransmissionGuard(req -> {
      Object request = new byte[1 << 20];
      captured.add(new java.lang.ref.WeakReference<>(request, collected));
      Future<Void> first = captured.size() == 1 ? Future.succeededFuture() : pending.future();
      return first.compose(v -> Future.succeededFuture(SipOutcome.reply(request.hashCode() != 0 ? 200 : 500)));
    }, clock);

    guard.handle(message("a", "z9hG4bKa")); // answered at once
    AtomicInteger later = new AtomicInteger(); // not the future itself: the test would keep what it captured
    guard.handle(message("b", "z9hG4bKb")).onSuccess(o -> later.set(((SipOutcome.Reply) o).status()));
    pending.complete(); // b answered now
    assertEquals(200, later.get());
    assertEquals(2, guard.remembered());

    int freed = 0;
    for (int i = 0; i < 50 && freed < 2; i++) {
      System.gc();
      if (collected.remove(100) != null) {
        freed++;
      }
    }
    assertEquals(2, freed, "what both handlings captured is collectable while their answers are remembered");
    assertEquals(200, ((SipOutcome.Reply) guard.handle(message("a", "z9hG4bKa")).result()).status());
    assertEquals(200, ((SipOutcome.Reply) guard.handle(message("b", "z9hG4bKb")).result()).status());
  }
}
