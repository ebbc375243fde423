package io.switchboard.core.sip;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import javax.sip.header.CSeqHeader;
import javax.sip.header.ViaHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Our own non-INVITE client transactions over UDP (RFC 3261 §17.1.2), instead of JAIN-SIP's: the
 * request goes out statelessly through the stack (its own UDP socket, so a device behind NAT sees
 * the port it registered to), and everything else happens on the context that sent it, with Vert.x
 * timers: Timer E retransmits after T1, doubling up to T2 (every T2 once a provisional came: the
 * Proceeding state), Timer F fails the send after 64 × T1. An answer is matched by its top Via
 * branch and CSeq method; the first final one completes the request, later copies are strays
 * (Timer K is moot: nothing is kept to absorb them). No transaction object in the stack, none of
 * its timer threads or table, no hop to deliver the answer.
 *
 * <p>A request may also go out as bytes its sender prepared ({@link #startDatagram}, NOTIFYs from a
 * per-dialog template): no message object on the send path, and its answers are matched on the
 * stack's receiving thread before JAIN-SIP parses them ({@link #answerDatagram}, through
 * {@link OwnAnswersNetworkLayer}); only their status code is kept.
 *
 * <p>Bounded: at most {@code perContext} requests awaiting their answer per sending context;
 * beyond it a send fails at once (callers handle a failed send: a NOTIFY not sent, a MESSAGE stored).
 */
final class UdpClientTransactions {

  private static final Logger LOG = LoggerFactory.getLogger(UdpClientTransactions.class);

  /** Puts one request on the wire, statelessly (SipProvider#sendRequest). */
  interface Wire {
    void send(Request request) throws javax.sip.SipException;
  }

  /** Puts prepared bytes on the wire, from our UDP socket (OwnAnswersNetworkLayer#send). */
  interface DatagramWire {
    void send(byte[] datagram, InetSocketAddress to) throws java.io.IOException;
  }

  private final Vertx vertx;
  private final Wire wire;
  private final DatagramWire datagrams;
  private final long t1;
  private final long t2;
  private final int perContext;
  /** By top Via branch: what is awaiting its final answer. */
  private final Map<String, Transaction> byBranch = new ConcurrentHashMap<>();
  /** Requests awaiting their answer, per sending context (Contexts compare by identity). */
  private final Map<Context, AtomicInteger> inFlight = new ConcurrentHashMap<>();
  private final LongAdder refused = new LongAdder();
  private final LongAdder retransmitted = new LongAdder();
  private final LongAdder takenUnparsed = new LongAdder();

  UdpClientTransactions(Vertx vertx, Wire wire, long t1Millis, long t2Millis, int perContext) {
    this(vertx, wire, (datagram, to) -> {
      throw new java.io.IOException("no datagram path");
    }, t1Millis, t2Millis, perContext);
  }

  UdpClientTransactions(Vertx vertx, Wire wire, DatagramWire datagrams, long t1Millis, long t2Millis, int perContext) {
    this.vertx = vertx;
    this.wire = wire;
    this.datagrams = datagrams;
    this.t1 = t1Millis;
    this.t2 = t2Millis;
    this.perContext = perContext;
  }

  /**
   * Sends {@code request} and completes {@code out}'s answer with its final response, on
   * {@code out}'s origin context; call on that context. Fails it with a {@link SipSendException}
   * when it cannot go out, past the limit, or after Timer F.
   */
  void start(Request request, OutgoingRequest out) {
    Context origin = out.origin();
    ViaHeader via = (ViaHeader) request.getHeader(ViaHeader.NAME);
    String branch = via == null ? null : via.getBranch();
    if (branch == null) {
      out.promise().tryFail(new SipSendException("cannot send: no Via branch"));
      return;
    }
    Transaction tx = new Transaction(branch, request.getMethod(), origin, () -> wire.send(request), out, null);
    if (admit(tx) && out.attach(() -> origin.runOnContext(v -> abandon(tx)))) {
      go(tx);
    } else if (byBranch.get(branch) == tx) {
      abandon(tx); // terminated before it went out
    }
  }

  /**
   * Sends a request prepared as bytes, with a Via whose branch is {@code branch}, and completes with
   * its final status code on the calling context (call on one). Its answers are matched before
   * JAIN-SIP parses them. Fails with a {@link SipSendException} as {@link #start} does.
   */
  Future<Integer> startDatagram(byte[] datagram, String branch, String method, InetSocketAddress to) {
    Context origin = Vertx.currentContext();
    if (origin == null) {
      return Future.failedFuture(new SipSendException("cannot send: not on a Vert.x context"));
    }
    Promise<Integer> status = Promise.promise();
    Transaction tx = new Transaction(branch, method, origin, () -> datagrams.send(datagram, to), null, status);
    if (admit(tx)) {
      go(tx);
    }
    return status.future();
  }

  /**
   * As {@link #startDatagram}, with a way to stop the request: its retransmissions end, a later
   * answer is a stray, and its status fails with a {@link SipSendException} if still open. Call on a
   * Vert.x context.
   */
  OutgoingStatus startDatagramStoppable(byte[] datagram, String branch, String method, InetSocketAddress to) {
    Context origin = Vertx.currentContext();
    if (origin == null) {
      return new OutgoingStatus(Future.failedFuture(new SipSendException("cannot send: not on a Vert.x context")), () -> { });
    }
    Promise<Integer> status = Promise.promise();
    Transaction tx = new Transaction(branch, method, origin, () -> datagrams.send(datagram, to), null, status);
    if (admit(tx)) {
      go(tx);
    }
    return new OutgoingStatus(status.future(), () -> origin.runOnContext(v -> {
      if (finish(tx)) {
        tx.fail(new SipSendException("terminated before an answer"));
      }
    }));
  }

  /** Takes the transaction in (per-context limit, branch unused); else fails it. */
  private boolean admit(Transaction tx) {
    if (tx.count.get() >= perContext) {
      refused.increment();
      LOG.debug("refused: {} requests in flight on this context [branch: {}]", perContext, tx.branch);
      tx.fail(new SipSendException("cannot send: " + perContext + " requests await their answer already"));
      return false;
    }
    if (byBranch.putIfAbsent(tx.branch, tx) != null) {
      tx.fail(new SipSendException("cannot send: branch " + tx.branch + " in use"));
      return false;
    }
    tx.count.incrementAndGet();
    return true;
  }

  /** Puts it on the wire and starts Timer E. */
  private void go(Transaction tx) {
    try {
      tx.resend.send();
    } catch (Exception e) {
      if (finish(tx)) {
        tx.fail(new SipSendException("cannot send: " + e.getMessage()));
      }
      return;
    }
    tx.deadline = System.nanoTime() + 64 * t1 * 1_000_000;
    tx.interval = t1;
    tx.timer = vertx.setTimer(t1, id -> timerE(tx));
  }

  /**
   * An answer the stack found no transaction of its own for (JAIN-SIP hands such strays to the
   * listener); called on the stack's thread.
   *
   * @return whether it answered one of ours
   */
  boolean answer(Response response) {
    ViaHeader via = (ViaHeader) response.getHeader(ViaHeader.NAME);
    CSeqHeader cseq = (CSeqHeader) response.getHeader(CSeqHeader.NAME);
    Transaction tx = via == null || via.getBranch() == null ? null : byBranch.get(via.getBranch());
    if (tx == null || cseq == null || !tx.method.equals(cseq.getMethod())) {
      return false;
    }
    answered(tx, response.getStatusCode(), response);
    return true;
  }

  /**
   * A datagram that came to our UDP socket, before JAIN-SIP parses it: an answer to a request sent
   * with {@link #startDatagram} is taken here, by its top Via branch and CSeq method; anything else
   * is left to the stack. Called on the stack's receiving thread.
   *
   * @return whether it took the datagram
   */
  boolean answerDatagram(byte[] buf, int off, int len) {
    if (len < 14 || buf[off] != 'S') {
      return false; // a request
    }
    DatagramAnswer answer = DatagramAnswer.peek(buf, off, len);
    Transaction tx = answer == null ? null : byBranch.get(answer.branch());
    if (tx == null || tx.status == null || !tx.method.equals(answer.cseqMethod())) {
      return false;
    }
    takenUnparsed.increment();
    answered(tx, answer.status(), null);
    return true;
  }

  private void answered(Transaction tx, int status, Response response) {
    if (status < 200) {
      tx.origin.runOnContext(v -> proceeding(tx));
    } else if (byBranch.remove(tx.branch, tx)) {
      tx.origin.runOnContext(v -> {
        settle(tx);
        tx.complete(status, response);
      });
    }
  }

  /** Requests awaiting their final answer now, on every context. */
  int inFlight() {
    return byBranch.size();
  }

  /** Sends refused because their context had {@code perContext} in flight already. */
  long refused() {
    return refused.sum();
  }

  long retransmitted() {
    return retransmitted.sum();
  }

  /** Answers taken from their datagram, never parsed by the stack. */
  long takenUnparsed() {
    return takenUnparsed.sum();
  }

  /** Timer E (or F when its time has come), on the origin context. */
  private void timerE(Transaction tx) {
    if (byBranch.get(tx.branch) != tx) {
      return;
    }
    long left = (tx.deadline - System.nanoTime()) / 1_000_000;
    if (left <= 0) {
      if (finish(tx)) {
        tx.fail(new SipSendException("no answer (transaction timeout)"));
      }
      return;
    }
    try {
      tx.resend.send();
      retransmitted.increment();
    } catch (Exception e) {
      LOG.debug("cannot retransmit [branch: {}]: {}", tx.branch, e.getMessage());
    }
    tx.interval = tx.proceeding ? t2 : Math.min(2 * tx.interval, t2);
    tx.timer = vertx.setTimer(Math.max(1, Math.min(tx.interval, left)), id -> timerE(tx));
  }

  /** A provisional answer: Proceeding, retransmissions every T2 from now (RFC 3261 §17.1.2.2). */
  private void proceeding(Transaction tx) {
    if (tx.proceeding || byBranch.get(tx.branch) != tx) {
      return;
    }
    tx.proceeding = true;
    vertx.cancelTimer(tx.timer);
    long left = Math.max(1, (tx.deadline - System.nanoTime()) / 1_000_000);
    tx.interval = t2;
    tx.timer = vertx.setTimer(Math.min(t2, left), id -> timerE(tx));
  }

  /** Terminated by the sender: forgotten, so that it is not retransmitted and a late answer is a stray. */
  private void abandon(Transaction tx) {
    finish(tx);
  }

  /** @return whether this call ended the transaction (and should settle its answer) */
  private boolean finish(Transaction tx) {
    if (!byBranch.remove(tx.branch, tx)) {
      return false;
    }
    settle(tx);
    return true;
  }

  /** On the origin context, once the transaction has left the table. */
  private void settle(Transaction tx) {
    if (tx.timer >= 0) {
      vertx.cancelTimer(tx.timer);
    }
    tx.count.decrementAndGet();
  }

  /** Sends a transaction's request (again). */
  private interface Resend {
    void send() throws Exception;
  }

  /** One request awaiting its final answer; its timer fields are touched only on its origin context. */
  private final class Transaction {
    final String branch;
    final String method;
    final Context origin;
    final Resend resend;
    /** Set for a request sent as a message object: completed with the response. */
    final OutgoingRequest out;
    /** Set for one sent as prepared bytes: completed with the status code only. */
    final Promise<Integer> status;
    final AtomicInteger count;
    long deadline;
    long interval;
    long timer = -1;
    boolean proceeding;

    Transaction(String branch, String method, Context origin, Resend resend, OutgoingRequest out, Promise<Integer> status) {
      this.branch = branch;
      this.method = method;
      this.origin = origin;
      this.resend = resend;
      this.out = out;
      this.status = status;
      AtomicInteger known = inFlight.get(origin); // a plain read for every request but a context's first
      this.count = known != null ? known : inFlight.computeIfAbsent(origin, c -> new AtomicInteger());
    }

    /** @param response null when matched from the datagram (only for a status-only transaction) */
    void complete(int code, Response response) {
      if (status != null) {
        status.tryComplete(code);
      } else {
        out.promise().tryComplete(response);
      }
    }

    void fail(SipSendException e) {
      if (status != null) {
        status.tryFail(e);
      } else {
        out.promise().tryFail(e);
      }
    }
  }
}
