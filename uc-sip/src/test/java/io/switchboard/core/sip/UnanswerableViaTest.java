package io.switchboard.core.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.core.testing.SipTestServer;
import io.vertx.core.Vertx;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Via whose rport is not a number parses, but no response can be built from it (JAIN-SIP throws
 * when a response copies it; SipFuzzTest found it). The stack rewrites the top Via's rport with the
 * source port, not a second Via's, so the bad one is second here: the request is dropped, nothing fails
 * on a Vert.x context, and the next request on the connection is answered.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
class UnanswerableViaTest {

  @Test
  void aNonNumericRportIsDroppedAndTheNextRequestAnswered(Vertx vertx, @TempDir Path dir) throws Exception {
    List<Throwable> unhandled = new CopyOnWriteArrayList<>();
    vertx.exceptionHandler(unhandled::add);
    SipTestServer server = new SipTestServer(vertx, dir, Map.of());
    server.start().await();
    try (Socket tcp = new Socket(InetAddress.getLoopbackAddress(), server.sipPort())) {
      tcp.setSoTimeout(10_000);
      String from = "127.0.0.1:" + tcp.getLocalPort();
      OutputStream out = tcp.getOutputStream();
      for (String method : List.of("OPTIONS", "REGISTER", "MESSAGE")) {
        out.write(request(from, method, "bad-" + method, ";rport=abc"));
      }
      out.write(request(from, "OPTIONS", "good", ""));
      out.flush();
      BufferedReader in = new BufferedReader(new InputStreamReader(tcp.getInputStream(), StandardCharsets.UTF_8));
      String status = in.readLine();
      StringBuilder answer = new StringBuilder(status).append('\n');
      for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
        answer.append(line).append('\n');
      }
      assertTrue(answer.toString().contains("Call-ID: good"), "the only answer is to the good request: " + answer);
      assertEquals("SIP/2.0 200 OK", status, answer.toString());
    } finally {
      server.stop().await();
    }
    assertEquals(List.of(), unhandled, "nothing failed on a Vert.x context");
  }

  private static byte[] request(String from, String method, String callId, String rport) {
    return (method + " sip:switchboard.test SIP/2.0\n"
        + "Via: SIP/2.0/TCP " + from + ";branch=z9hG4bK-" + callId + "\n"
        + "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-2-" + callId + rport + "\n"
        + "Max-Forwards: 70\n"
        + "From: <sip:alice@switchboard.test>;tag=f1\n"
        + "To: <sip:alice@switchboard.test>\n"
        + "Call-ID: " + callId + "\n"
        + "CSeq: 1 " + method + "\n"
        + "Contact: <sip:alice@" + from + ">\n"
        + "Content-Length: 0\n\n").replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8);
  }
}
