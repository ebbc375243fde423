package io.switchboard.core.testing;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Finds a loopback port free for both UDP and TCP, as SIP listens on both (and SIPp's media ports).
 *
 * <p>The port is taken from below the kernel's ephemeral range. A port found by binding to port 0
 * is an ephemeral one: between our check and the server's bind, the kernel may hand the same port
 * to anything else bound to 0 (the embedded store, the web console) or to an outgoing connection,
 * and the server then fails with "Address already in use". Below the range only another explicit
 * bind can take it. Each JVM starts at a random point and walks on, so parallel forks and
 * successive tests do not meet.
 */
public final class FreePorts {

  private static final int LOWEST = 10_000;
  private static final int ABOVE_HIGHEST = ephemeralRangeStart();
  /** The walk: the n-th port handed out is {@link #portAt}(n), for single ports and media blocks alike. */
  static final AtomicInteger NEXT =
      new AtomicInteger(LOWEST + ThreadLocalRandom.current().nextInt(ABOVE_HIGHEST - LOWEST));

  private FreePorts() {
  }

  public static int udpAndTcp() throws IOException {
    for (int attempt = 0; attempt < 200; attempt++) {
      int port = portAt(NEXT.getAndIncrement());
      if (freeForUdpAndTcp(port)) {
        return port;
      }
    }
    throw new IOException("no free port between " + LOWEST + " and " + ABOVE_HIGHEST);
  }

  /**
   * The first of four free UDP ports, even: what SIPp's {@code -mp} takes. Every SIPp binds its RTP
   * sockets there (audio, and video two above) though no scenario here sends media; left to itself each
   * takes the first free one from 6000, and two started together can race for one and the loser exits
   * at start ("Unable to bind audio RTP socket").
   */
  public static int mediaBase() throws IOException {
    for (int attempt = 0; attempt < 200; attempt++) {
      // Five taken from the walk, the four used even-aligned among them: never a port handed out before
      // (a test may hold one it has not bound yet) nor one the walk hands out next. The five map through the
      // walk's own portAt, so past the wrap they are still the walk's next five; a block that would straddle
      // the wrap is skipped.
      int first = portAt(NEXT.getAndAdd(5));
      if (first + 4 >= ABOVE_HIGHEST) {
        continue;
      }
      int port = first + first % 2;
      if (freeForUdp(port) && freeForUdp(port + 1) && freeForUdp(port + 2) && freeForUdp(port + 3)) {
        return port;
      }
    }
    throw new IOException("no four free ports between " + LOWEST + " and " + ABOVE_HIGHEST);
  }

  static int portAt(int n) {
    return LOWEST + Math.floorMod(n - LOWEST, ABOVE_HIGHEST - LOWEST);
  }

  static int highest() {
    return ABOVE_HIGHEST - 1;
  }

  private static boolean freeForUdp(int port) {
    try (DatagramSocket udp = new DatagramSocket(port, InetAddress.getLoopbackAddress())) {
      return true;
    } catch (IOException taken) {
      return false;
    }
  }

  private static boolean freeForUdpAndTcp(int port) {
    try (ServerSocket tcp = new ServerSocket(port, 1, InetAddress.getLoopbackAddress());
        DatagramSocket udp = new DatagramSocket(port, InetAddress.getLoopbackAddress())) {
      return true;
    } catch (IOException taken) {
      return false;
    }
  }

  /** The first port of {@code net.ipv4.ip_local_port_range}; Linux's default when unreadable. */
  private static int ephemeralRangeStart() {
    try {
      String range = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim();
      int start = Integer.parseInt(range.split("\\s+")[0]);
      return start > LOWEST + 1_000 ? start : 32_768;
    } catch (IOException | RuntimeException unreadable) {
      return 32_768;
    }
  }
}
