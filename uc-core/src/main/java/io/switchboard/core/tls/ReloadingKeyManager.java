package io.switchboard.core.tls;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * A key manager whose certificate can be swapped while listeners run: every handshake asks it, so
 * new connections get the new certificate and open ones keep theirs. Aliases carry the generation
 * they were chosen from, so a handshake that straddles a swap still gets a chain and a key that
 * belong together (the previous generation is kept for it).
 */
public final class ReloadingKeyManager extends X509ExtendedKeyManager {

  private record Generation(int number, X509ExtendedKeyManager delegate) {

    String tag(String alias) {
      return alias == null ? null : number + ":" + alias;
    }
  }

  private volatile Generation current;
  private volatile Generation previous;

  public ReloadingKeyManager(X509ExtendedKeyManager first) {
    this.current = new Generation(0, first);
    this.previous = current;
  }

  /** From now on, handshakes get this one. */
  public synchronized void swap(X509ExtendedKeyManager next) {
    previous = current;
    current = new Generation(current.number() + 1, next);
  }

  private Generation generationOf(String taggedAlias) {
    Generation now = current;
    Generation before = previous;
    int colon = taggedAlias == null ? -1 : taggedAlias.indexOf(':');
    if (colon < 0) {
      return null;
    }
    String number = taggedAlias.substring(0, colon);
    if (number.equals(String.valueOf(now.number()))) {
      return now;
    }
    return number.equals(String.valueOf(before.number())) ? before : null;
  }

  private static String untagged(String taggedAlias) {
    return taggedAlias.substring(taggedAlias.indexOf(':') + 1);
  }

  private static String[] tagged(Generation g, String[] aliases) {
    return aliases == null ? null : Arrays.stream(aliases).map(g::tag).toArray(String[]::new);
  }

  @Override
  public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
    Generation g = current;
    return g.tag(g.delegate().chooseEngineServerAlias(keyType, issuers, engine));
  }

  @Override
  public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
    Generation g = current;
    return g.tag(g.delegate().chooseServerAlias(keyType, issuers, socket));
  }

  @Override
  public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
    Generation g = current;
    return g.tag(g.delegate().chooseEngineClientAlias(keyType, issuers, engine));
  }

  @Override
  public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
    Generation g = current;
    return g.tag(g.delegate().chooseClientAlias(keyType, issuers, socket));
  }

  @Override
  public String[] getServerAliases(String keyType, Principal[] issuers) {
    Generation g = current;
    return tagged(g, g.delegate().getServerAliases(keyType, issuers));
  }

  @Override
  public String[] getClientAliases(String keyType, Principal[] issuers) {
    Generation g = current;
    return tagged(g, g.delegate().getClientAliases(keyType, issuers));
  }

  @Override
  public X509Certificate[] getCertificateChain(String alias) {
    Generation g = generationOf(alias);
    return g == null ? null : g.delegate().getCertificateChain(untagged(alias));
  }

  @Override
  public PrivateKey getPrivateKey(String alias) {
    Generation g = generationOf(alias);
    return g == null ? null : g.delegate().getPrivateKey(untagged(alias));
  }
}
