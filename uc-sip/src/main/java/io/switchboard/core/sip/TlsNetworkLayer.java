package io.switchboard.core.sip;

import gov.nist.core.net.DefaultNetworkLayer;
import gov.nist.core.net.NetworkLayer;
import gov.nist.javax.sip.SipStackImpl;
import io.switchboard.core.tls.TlsPolicy;
import java.io.IOException;
import java.net.ConnectException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

/**
 * JAIN-SIP's sockets, with TLS from our context (whose key manager follows certificate reloads)
 * instead of the stack's keystore files. Plain sockets are the stack's default ones.
 */
final class TlsNetworkLayer implements NetworkLayer {

  private static final int CONNECT_TIMEOUT_MILLIS = 8000;

  private final NetworkLayer plain = DefaultNetworkLayer.SINGLETON;
  private final SSLContext context;
  private final String[] protocols;
  private final String[] suites;

  TlsNetworkLayer(SSLContext context) {
    this.context = context;
    this.protocols = TlsPolicy.PROTOCOLS.toArray(String[]::new);
    this.suites = TlsPolicy.cipherSuites(context).toArray(String[]::new);
  }

  String[] protocols() {
    return protocols.clone();
  }

  String[] suites() {
    return suites.clone();
  }

  @Override
  public SSLServerSocket createSSLServerSocket(int port, int backlog, InetAddress bindAddress) throws IOException {
    SSLServerSocket socket = (SSLServerSocket) context.getServerSocketFactory().createServerSocket(port, backlog, bindAddress);
    socket.setEnabledProtocols(protocols);
    socket.setEnabledCipherSuites(suites);
    var params = socket.getSSLParameters();
    params.setUseCipherSuitesOrder(true);
    socket.setSSLParameters(params);
    return socket;
  }

  @Override
  public SSLSocket createSSLSocket(InetAddress address, int port) throws IOException {
    return createSSLSocket(address, port, null);
  }

  @Override
  public SSLSocket createSSLSocket(InetAddress address, int port, InetAddress myAddress) throws IOException {
    SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket();
    socket.setEnabledProtocols(protocols);
    socket.setEnabledCipherSuites(suites);
    if (myAddress != null) {
      socket.bind(new InetSocketAddress(myAddress, 0));
    }
    try {
      socket.connect(new InetSocketAddress(address, port), CONNECT_TIMEOUT_MILLIS);
    } catch (SocketTimeoutException e) {
      socket.close();
      throw new ConnectException("TLS connect to " + address.getHostAddress() + ":" + port + " timed out");
    }
    return socket;
  }

  @Override
  public ServerSocket createServerSocket(int port, int backlog, InetAddress bindAddress) throws IOException {
    return plain.createServerSocket(port, backlog, bindAddress);
  }

  @Override
  public Socket createSocket(InetAddress address, int port) throws IOException {
    return plain.createSocket(address, port);
  }

  @Override
  public Socket createSocket(InetAddress address, int port, InetAddress myAddress) throws IOException {
    return plain.createSocket(address, port, myAddress);
  }

  @Override
  public Socket createSocket(InetAddress address, int port, InetAddress myAddress, int myPort) throws IOException {
    return plain.createSocket(address, port, myAddress, myPort);
  }

  @Override
  public DatagramSocket createDatagramSocket() throws SocketException {
    return plain.createDatagramSocket();
  }

  @Override
  public DatagramSocket createDatagramSocket(int port, InetAddress laddr) throws SocketException {
    return plain.createDatagramSocket(port, laddr);
  }

  @Override
  public void setSipStack(SipStackImpl stack) {
    plain.setSipStack(stack);
  }
}
