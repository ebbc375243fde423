package io.switchboard.core.sip;

import gov.nist.core.net.NetworkLayer;
import gov.nist.javax.sip.SipStackImpl;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JAIN-SIP's sockets (from {@code inner}: the plain ones, or TLS from our context), with one
 * difference: the UDP listening socket hands each datagram it receives to a {@link Filter} first,
 * on the stack's receiving thread, and a datagram the filter takes never reaches the stack's
 * parser. That is where the answers to the requests we send as prepared bytes are matched to
 * their client transaction ({@link UdpClientTransactions#answerDatagram}), by Via branch, without
 * parsing them into a message object. It also lends that socket for sending such bytes, so that a
 * device behind NAT sees them come from the port it registered to.
 */
final class OwnAnswersNetworkLayer implements NetworkLayer {

  private static final Logger LOG = LoggerFactory.getLogger(OwnAnswersNetworkLayer.class);

  /** Looks at a received datagram; called on the stack's UDP receiving thread, so it must be quick. */
  interface Filter {
    /** @return whether it took the datagram (the stack will not see it) */
    boolean take(byte[] buf, int off, int len);
  }

  private final NetworkLayer inner;
  private final Filter filter;
  private volatile DatagramSocket listening;

  OwnAnswersNetworkLayer(NetworkLayer inner, Filter filter) {
    this.inner = inner;
    this.filter = filter;
  }

  /** Sends bytes from the UDP listening socket; fails when it is not open (yet). Any thread. */
  void send(byte[] datagram, SocketAddress to) throws IOException {
    DatagramSocket socket = listening;
    if (socket == null) {
      throw new SocketException("UDP listening socket not open");
    }
    socket.send(new DatagramPacket(datagram, datagram.length, to));
  }

  @Override
  public DatagramSocket createDatagramSocket(int port, InetAddress laddr) throws SocketException {
    if (laddr != null && laddr.isMulticastAddress()) {
      return inner.createDatagramSocket(port, laddr);
    }
    Filtering socket = new Filtering(port, laddr, filter);
    listening = socket;
    return socket;
  }

  @Override
  public DatagramSocket createDatagramSocket() throws SocketException {
    return inner.createDatagramSocket();
  }

  @Override
  public ServerSocket createServerSocket(int port, int backlog, InetAddress bindAddress) throws IOException {
    return inner.createServerSocket(port, backlog, bindAddress);
  }

  @Override
  public SSLServerSocket createSSLServerSocket(int port, int backlog, InetAddress bindAddress) throws IOException {
    return inner.createSSLServerSocket(port, backlog, bindAddress);
  }

  @Override
  public Socket createSocket(InetAddress address, int port) throws IOException {
    return inner.createSocket(address, port);
  }

  @Override
  public Socket createSocket(InetAddress address, int port, InetAddress myAddress) throws IOException {
    return inner.createSocket(address, port, myAddress);
  }

  @Override
  public Socket createSocket(InetAddress address, int port, InetAddress myAddress, int myPort) throws IOException {
    return inner.createSocket(address, port, myAddress, myPort);
  }

  @Override
  public SSLSocket createSSLSocket(InetAddress address, int port) throws IOException {
    return inner.createSSLSocket(address, port);
  }

  @Override
  public SSLSocket createSSLSocket(InetAddress address, int port, InetAddress myAddress) throws IOException {
    return inner.createSSLSocket(address, port, myAddress);
  }

  @Override
  public void setSipStack(SipStackImpl stack) {
    inner.setSipStack(stack);
  }

  /** The listening socket: what the filter takes is not returned to the stack's receive loop. */
  private static final class Filtering extends DatagramSocket {

    private final Filter filter;

    Filtering(int port, InetAddress laddr, Filter filter) throws SocketException {
      super(port, laddr);
      this.filter = filter;
    }

    @Override
    public void receive(DatagramPacket packet) throws IOException {
      int capacity = packet.getData().length - packet.getOffset();
      while (true) {
        packet.setLength(capacity);
        super.receive(packet);
        boolean taken;
        try {
          taken = filter.take(packet.getData(), packet.getOffset(), packet.getLength());
        } catch (RuntimeException e) {
          LOG.debug("datagram filter failed, left to the stack: {}", e.toString());
          taken = false;
        }
        if (!taken) {
          return;
        }
      }
    }
  }

  /** A JAIN-SIP stack whose sockets come from a given network layer: the field has no setter. */
  static final class Stack extends SipStackImpl {

    Stack(java.util.Properties properties, NetworkLayer layer) throws javax.sip.PeerUnavailableException {
      super(properties);
      this.networkLayer = layer;
      layer.setSipStack(this);
    }
  }
}
