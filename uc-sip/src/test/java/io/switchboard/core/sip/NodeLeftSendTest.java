package io.switchboard.core.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.api.EventAddresses;
import io.switchboard.api.cluster.SipSend;
import io.switchboard.core.testing.SipTestServer;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import javax.sip.message.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A MESSAGE to a device held by another node went through that node, which dies before it answers:
 * when the cluster says it left, the send fails at once with that reason (the fork then stores the
 * message) instead of waiting for the bus timeout.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NodeLeftSendTest {

  private final Vertx vertx = Vertx.vertx();
  private SipTestServer server;

  @TempDir
  Path dir;

  @AfterEach
  void stop() throws Exception {
    if (server != null) {
      server.stop().await(20, TimeUnit.SECONDS);
    }
    vertx.close().await(20, TimeUnit.SECONDS);
  }

  @Test
  void aSendThroughANodeThatLeftFailsWithThatReason() throws Exception {
    server = new SipTestServer(vertx, dir, Map.of());
    server.beforeSipStart.add(s -> s.sip.inCluster("node-here"));
    server.start().await(30, TimeUnit.SECONDS);
    // The other node takes the request and never answers: it is killed while the device's answer is awaited.
    CompletableFuture<JsonObject> taken = new CompletableFuture<>();
    java.util.concurrent.atomic.AtomicInteger takenCount = new java.util.concurrent.atomic.AtomicInteger();
    vertx.eventBus().<JsonObject>consumer(EventAddresses.sipSend("node-gone"), m -> {
      takenCount.incrementAndGet();
      taken.complete(m.body());
    })
        .completion().await(10, TimeUnit.SECONDS);
    Binding device = new Binding("bob", "sip:bob@127.0.0.1:5099", "sip:bob@127.0.0.1:5099", Instant.now().plusSeconds(300),
        "call-1", 1, 1f, "SIPp", List.of("text/plain"), "udp", "127.0.0.1:5099", null, "node-gone");

    SipEdge edge = server.sip.edge();
    Promise<Response> answer = Promise.promise();
    edge.sipContext().runOnContext(v -> {
      try {
        var f = edge.factories();
        javax.sip.message.Request request = edge.requestToDevice("MESSAGE", device,
            f.addresses().createAddress("sip:alice@" + server.domain()), f.addresses().createAddress("sip:bob@" + server.domain()));
        request.setContent("hello", f.headers().createContentTypeHeader("text", "plain"));
        edge.start(request, device).answer().onComplete(answer);
      } catch (Exception e) {
        answer.fail(e);
      }
    });
    JsonObject sent = taken.get(20, TimeUnit.SECONDS);
    assertTrue(sent.getString("request").startsWith("MESSAGE sip:bob@127.0.0.1:5099"), sent.encode());

    server.sip.nodeLeft("node-gone");
    ExecutionException failed = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
        () -> answer.future().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS));
    assertInstanceOf(SipSendException.class, failed.getCause());
    assertTrue(failed.getCause().getMessage().contains("node-gone left the cluster"), failed.getCause().getMessage());

    // The device's binding stays until its expiry, but nothing more is sent through the node that left.
    Promise<Response> again = Promise.promise();
    edge.sipContext().runOnContext(v -> {
      try {
        var f = edge.factories();
        javax.sip.message.Request request = edge.requestToDevice("MESSAGE", device,
            f.addresses().createAddress("sip:alice@" + server.domain()), f.addresses().createAddress("sip:bob@" + server.domain()));
        request.setContent("again", f.headers().createContentTypeHeader("text", "plain"));
        edge.start(request, device).answer().onComplete(again);
      } catch (Exception e) {
        again.fail(e);
      }
    });
    ExecutionException refused = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
        () -> again.future().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS));
    assertTrue(refused.getCause().getMessage().contains("node-gone left the cluster"), refused.getCause().getMessage());
    assertEquals(1, takenCount.get(), "the second request never went to the node that left");
  }

  @Test
  void aRequestFromAnotherNodeThatArrivesTooLateIsNotSent() throws Exception {
    server = new SipTestServer(vertx, dir, Map.of());
    server.beforeSipStart.add(s -> s.sip.inCluster("node-here"));
    server.start().await(30, TimeUnit.SECONDS);
    // As a node paused past the sender's patience reads it from its socket when it resumes.
    SipSend stale = new SipSend("MESSAGE sip:bob@127.0.0.1:5099 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKold\r\n"
        + "From: <sip:alice@" + server.domain() + ">;tag=1\r\nTo: <sip:bob@" + server.domain() + ">\r\nCall-ID: late-1\r\n"
        + "CSeq: 1 MESSAGE\r\nMax-Forwards: 70\r\nContent-Type: text/plain\r\n\r\n", null, "udp",
        System.currentTimeMillis() - 10_000);
    ExecutionException refused = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
        () -> vertx.eventBus().request(EventAddresses.sipSend("node-here"), stale.toJson()).toCompletionStage()
            .toCompletableFuture().get(30, TimeUnit.SECONDS));
    io.vertx.core.eventbus.ReplyException reply = assertInstanceOf(io.vertx.core.eventbus.ReplyException.class, refused.getCause());
    assertEquals(408, reply.failureCode());
    assertTrue(reply.getMessage().contains("too late"), reply.getMessage());
  }
}
