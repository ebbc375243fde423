package io.switchboard.core.sip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.core.testing.FreePorts;
import io.switchboard.core.testing.RawSip;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.sip.DialogTerminatedEvent;
import javax.sip.IOExceptionEvent;
import javax.sip.ListeningPoint;
import javax.sip.RequestEvent;
import javax.sip.ResponseEvent;
import javax.sip.SipListener;
import javax.sip.SipProvider;
import javax.sip.TimeoutEvent;
import javax.sip.TransactionTerminatedEvent;
import javax.sip.message.Request;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The UDP listening socket under JAIN-SIP: datagrams the filter takes never reach the stack, the
 * others come in arrays of their own length whatever array the reader passed (the stack's reader is
 * made to pass an empty one), and the stack still reads every request whole, up to 64 KiB.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OwnAnswersNetworkLayerTest {

  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

  @Test
  void datagramsComeInArraysOfTheirOwnLengthAndTakenOnesNeverCome() throws Exception {
    OwnAnswersNetworkLayer layer = new OwnAnswersNetworkLayer(gov.nist.core.net.DefaultNetworkLayer.SINGLETON,
        (buf, off, len) -> buf[off] == 'X');
    try (DatagramSocket socket = layer.createDatagramSocket(0, LOOPBACK);
        DatagramSocket peer = new DatagramSocket(0, LOOPBACK)) {
      socket.setSoTimeout(5000);
      byte[] large = filled(40_000, (byte) 'a');
      byte[] small = filled(300, (byte) 'b');
      for (byte[] d : new byte[][] {"Xtaken".getBytes(StandardCharsets.US_ASCII), large, small}) {
        peer.send(new DatagramPacket(d, d.length, LOOPBACK, socket.getLocalPort()));
      }
      DatagramPacket packet = new DatagramPacket(new byte[0], 0);
      socket.receive(packet);
      assertEquals(40_000, packet.getData().length, "the large datagram, in an array of its length");
      assertEquals(40_000, packet.getLength());
      assertArrayEquals(large, packet.getData());
      assertEquals(peer.getLocalPort(), packet.getPort(), "the sender's port");
      assertEquals(LOOPBACK, packet.getAddress());
      byte[] first = packet.getData();
      socket.receive(packet);
      assertArrayEquals(small, packet.getData(), "the small one, in an array of its own");
      assertEquals(40_000, first.length, "the array handed out before is not reused");
      assertEquals('a', first[0]);
    }
  }

  @Test
  void theStackReadsWholeRequestsThroughAnEmptyArray() throws Exception {
    OwnAnswersNetworkLayer layer = new OwnAnswersNetworkLayer(gov.nist.core.net.DefaultNetworkLayer.SINGLETON,
        (buf, off, len) -> false);
    gov.nist.core.CommonLogger.useLegacyLogger = true;
    gov.nist.core.CommonLogger.legacyLogger = new Slf4jStackLogger();
    Properties p = new Properties();
    p.setProperty("gov.nist.javax.sip.STACK_LOGGER", Slf4jStackLogger.class.getName());
    p.setProperty("gov.nist.javax.sip.SERVER_LOGGER", Slf4jServerLogger.class.getName());
    p.setProperty("javax.sip.STACK_NAME", "own-answers-test-" + UUID.randomUUID());
    p.setProperty("javax.sip.AUTOMATIC_DIALOG_SUPPORT", "off");
    p.setProperty("gov.nist.javax.sip.THREAD_POOL_SIZE", "2");
    p.setProperty("gov.nist.javax.sip.MAX_MESSAGE_SIZE", "65536");
    p.setProperty("gov.nist.javax.sip.REENTRANT_LISTENER", "true");
    OwnAnswersNetworkLayer.Stack stack = new OwnAnswersNetworkLayer.Stack(p, layer);
    int port = FreePorts.udpAndTcp();
    try {
      ListeningPoint udp = stack.createListeningPoint("127.0.0.1", port, ListeningPoint.UDP);
      assertTrue(layer.readIntoOwnBuffer(stack), "the stack's reader now passes an empty array");
      SipProvider provider = stack.createSipProvider(udp);
      BlockingQueue<Request> received = new LinkedBlockingQueue<>();
      provider.addSipListener(new Requests(received));
      stack.start();
      try (RawSip client = new RawSip(port)) {
        // The reader may have been waiting with its old array: the first datagram can come through it.
        for (int size : new int[] {10, 30_000, 200, 60_000}) {
          String body = "m".repeat(size);
          client.send(("MESSAGE sip:sink@127.0.0.1 SIP/2.0\r\n"
              + "Via: SIP/2.0/UDP 127.0.0.1:" + client.localPort() + ";branch=z9hG4bK-" + size + "\r\n"
              + "Max-Forwards: 70\r\nFrom: <sip:a@127.0.0.1>;tag=" + size + "\r\nTo: <sip:sink@127.0.0.1>\r\n"
              + "Call-ID: own-" + size + "\r\nCSeq: 1 MESSAGE\r\nContent-Type: text/plain\r\n"
              + "Content-Length: " + size + "\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII));
          Request request = received.poll(20, TimeUnit.SECONDS);
          assertNotNull(request, "a MESSAGE with a body of " + size + " bytes reached the stack's listener");
          assertEquals(body, new String(request.getRawContent(), StandardCharsets.US_ASCII), "its whole body");
        }
      }
    } finally {
      stack.stop();
    }
  }

  private static byte[] filled(int size, byte b) {
    byte[] bytes = new byte[size];
    Arrays.fill(bytes, b);
    return bytes;
  }

  private record Requests(BlockingQueue<Request> received) implements SipListener {
    @Override
    public void processRequest(RequestEvent event) {
      received.add(event.getRequest());
    }

    @Override
    public void processResponse(ResponseEvent event) {
    }

    @Override
    public void processTimeout(TimeoutEvent event) {
    }

    @Override
    public void processIOException(IOExceptionEvent event) {
    }

    @Override
    public void processTransactionTerminated(TransactionTerminatedEvent event) {
    }

    @Override
    public void processDialogTerminated(DialogTerminatedEvent event) {
    }
  }
}
