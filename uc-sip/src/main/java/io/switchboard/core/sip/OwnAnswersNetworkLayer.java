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
 *
 * <p>The listening socket also receives into one buffer of its own and hands the stack each datagram
 * as an array of its exact length ({@link #readIntoOwnBuffer}): JAIN-SIP's UDP reader otherwise
 * allocates a new 64 KiB array per datagram, which it keeps while the datagram waits in its queue
 * (61 % of all bytes allocated under the MESSAGE benchmark, and young collections that copy the
 * queued backlog's buffers).
 */
final class OwnAnswersNetworkLayer implements NetworkLayer {

  private static final Logger LOG = LoggerFactory.getLogger(OwnAnswersNetworkLayer.class);

  /** Looks at a received datagram; called on the stack's UDP receiving thread, so it must be quick. */
  interface Filter {
    /** @return whether it took the datagram (the stack will not see it) */
    boolean take(byte[] buf, int off, int len);

    /** As {@link #take(byte[], int, int)}, knowing who sent it: for a filter that answers requests itself. */
    default boolean take(byte[] buf, int off, int len, java.net.InetSocketAddress from) {
      return take(buf, off, len);
    }
  }

  /** The largest UDP payload: what the stack itself reads into ({@code SipStackImpl.MAX_DATAGRAM_SIZE}). */
  static final int MAX_DATAGRAM = 65535;

  private final NetworkLayer inner;
  private final Filter filter;
  private volatile Filtering listening;

  OwnAnswersNetworkLayer(NetworkLayer inner, Filter filter) {
    this.inner = inner;
    this.filter = filter;
  }

  /**
   * Stops the stack's UDP reader on our listening socket from allocating a datagram-sized array per
   * receive: it reads the size from a private field, set here to 0, since our socket replaces the
   * packet's array with one of the datagram's length anyway. Call once the UDP listening point exists.
   * Should this JAIN-SIP not have the field, nothing changes but the allocation (logged).
   *
   * @return whether the reader was changed
   */
  boolean readIntoOwnBuffer(Stack stack) {
    Filtering socket = listening;
    for (gov.nist.javax.sip.stack.MessageProcessor processor : stack.messageProcessors()) {
      if (socket != null && processor instanceof gov.nist.javax.sip.stack.UDPMessageProcessor udp
          && udp.getPort() == socket.getLocalPort()) {
        try {
          java.lang.reflect.Field size = gov.nist.javax.sip.stack.UDPMessageProcessor.class.getDeclaredField("maxMessageSize");
          size.setAccessible(true);
          size.setInt(udp, 0);
          return true;
        } catch (ReflectiveOperationException | RuntimeException e) {
          LOG.info("UDP reader left allocating 64 KiB per datagram [port: {}]: {}", udp.getPort(), e.toString());
        }
      }
    }
    return false;
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

  /**
   * The listening socket: what the filter takes is not returned to the stack's receive loop, and
   * what it returns comes in an array of the datagram's own length (whatever array the caller's
   * packet had: {@link #readIntoOwnBuffer} lets the stack pass an empty one), read through one
   * datagram-sized buffer that this socket keeps.
   */
  static final class Filtering extends DatagramSocket {

    private final Filter filter;
    /** Guarded by itself: the stack has one reader per socket, but nothing here relies on it. */
    private final DatagramPacket scratch = new DatagramPacket(new byte[MAX_DATAGRAM], MAX_DATAGRAM);

    Filtering(int port, InetAddress laddr, Filter filter) throws SocketException {
      super(port, laddr);
      this.filter = filter;
    }

    @Override
    public void receive(DatagramPacket packet) throws IOException {
      synchronized (scratch) {
        byte[] buf = scratch.getData();
        while (true) {
          scratch.setLength(buf.length);
          super.receive(scratch);
          int len = scratch.getLength();
          boolean taken;
          try {
            taken = filter.take(buf, 0, len, (java.net.InetSocketAddress) scratch.getSocketAddress());
          } catch (RuntimeException e) {
            LOG.debug("datagram filter failed, left to the stack: {}", e.toString());
            taken = false;
          }
          if (!taken) {
            packet.setData(java.util.Arrays.copyOf(buf, len));
            packet.setSocketAddress(scratch.getSocketAddress());
            return;
          }
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

    /** The stack's message processors (one per listening point); the stack's own method is protected. */
    java.util.List<gov.nist.javax.sip.stack.MessageProcessor> messageProcessors() {
      return java.util.List.of(getMessageProcessors());
    }
  }
}
