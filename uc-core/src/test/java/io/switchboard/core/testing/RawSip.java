package io.switchboard.core.testing;

import io.switchboard.core.security.Digest;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A bare UDP socket for what no packaged user agent sends: garbage, malformed requests, SHA-256
 * digest. Every receive is bounded by a timeout.
 */
public final class RawSip implements AutoCloseable {

  private final DatagramSocket socket;
  private final int serverPort;

  public RawSip(int serverPort) throws IOException {
    this(serverPort, InetAddress.getLoopbackAddress());
  }

  /** @param local the loopback address to send from (127.0.0.2 is another source to the server) */
  public RawSip(int serverPort, InetAddress local) throws IOException {
    this.socket = new DatagramSocket(0, local);
    this.socket.setSoTimeout(5000);
    this.serverPort = serverPort;
  }

  public String localHost() {
    return socket.getLocalAddress().getHostAddress();
  }

  public int localPort() {
    return socket.getLocalPort();
  }

  public void send(byte[] bytes) throws IOException {
    socket.send(new DatagramPacket(bytes, bytes.length, InetAddress.getLoopbackAddress(), serverPort));
  }

  /** Sends a request written with \n line ends; they go out as CRLF. */
  public void send(String text) throws IOException {
    send(text.replace("\r\n", "\n").replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8));
  }

  /** The next datagram, or null when none arrives within the timeout. */
  public String receive() throws IOException {
    byte[] buf = new byte[65_535];
    DatagramPacket p = new DatagramPacket(buf, buf.length);
    try {
      socket.receive(p);
    } catch (SocketTimeoutException e) {
      return null;
    }
    return new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8);
  }

  /** The next final response (skipping 1xx), or null. */
  public String receiveFinal() throws IOException {
    while (true) {
      String r = receive();
      if (r == null || !r.startsWith("SIP/2.0 1")) {
        return r;
      }
    }
  }

  public void timeout(int millis) throws IOException {
    socket.setSoTimeout(millis);
  }

  public static int status(String response) {
    return response == null ? -1 : Integer.parseInt(response.substring(8, 11));
  }

  /** The value of the first header {@code name} (its full name, any case) in {@code message}, trimmed; null if none. */
  public static String header(String message, String name) {
    for (String line : message.split("\r\n")) {
      if (line.regionMatches(true, 0, name + ":", 0, name.length() + 1)) {
        return line.substring(name.length() + 1).trim();
      }
    }
    return null;
  }

  /** The value of a named parameter within the first header line matching {@code headerPrefix}. */
  public static String param(String message, String headerPrefix, String name) {
    for (String line : message.split("\r\n")) {
      if (line.regionMatches(true, 0, headerPrefix, 0, headerPrefix.length())) {
        Matcher m = Pattern.compile(name + "=\"?([^\",]+)\"?").matcher(line);
        if (m.find()) {
          return m.group(1);
        }
      }
    }
    return null;
  }

  /**
   * An {@code Authorization} header line (ending in a newline, for the text blocks the tests write
   * requests in): MD5 digest with qop=auth over {@code method} and {@code uri}, cnonce "c0ffee".
   */
  public static String digestAuthorization(String user, String realm, String password, String nonce, String nc,
      String method, String uri) {
    String ha1 = Digest.ha1(Digest.MD5, user, realm, password);
    String response = Digest.response(Digest.MD5, ha1, nonce, nc,
        "c0ffee", "auth", method, uri);
    return "Authorization: Digest username=\"" + user + "\", realm=\"" + realm + "\", nonce=\"" + nonce + "\", uri=\""
        + uri + "\", response=\"" + response + "\", algorithm=MD5, qop=auth, nc=" + nc + ", cnonce=\"c0ffee\"\n";
  }

  @Override
  public void close() {
    socket.close();
  }
}
