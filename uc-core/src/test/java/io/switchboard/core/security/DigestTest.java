package io.switchboard.core.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Digest arithmetic against the published RFC examples, so interop does not rest on our own reading. */
class DigestTest {

  // RFC 2617 §3.5
  private static final String RFC2617_NONCE = "dcd98b7102dd2f0e8b11d0f600bfb0c093";
  private static final String RFC2617_HA1 = "939e7578ed9e3c518a452acee763bce9";

  @Test
  void rfc2617Md5Example() {
    String ha1 = Digest.ha1(Digest.MD5, "Mufasa", "testrealm@host.com", "Circle Of Life");
    assertEquals(RFC2617_HA1, ha1);
    assertEquals("6629fae49393a05397450978507c4ef1",
        Digest.response(Digest.MD5, ha1, RFC2617_NONCE, "00000001", "0a4f113b", "auth", "GET", "/dir/index.html"));
  }

  @Test
  void rfc7616Sha256Example() {
    // RFC 7616 §3.9.1 (note: "Circle of Life" with a lower-case o, unlike RFC 2617)
    String ha1 = Digest.ha1(Digest.SHA_256, "Mufasa", "http-auth@example.org", "Circle of Life");
    assertEquals("753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1",
        Digest.response(Digest.SHA_256, ha1, "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", "00000001",
            "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ", "auth", "GET", "/dir/index.html"));
  }

  @Test
  void rfc7616Md5ExampleWithTheSameInputs() {
    // Same section, MD5 variant: checks the algorithm name selects the hash, not a fixed one.
    String ha1 = Digest.ha1(Digest.MD5, "Mufasa", "http-auth@example.org", "Circle of Life");
    assertEquals("8ca523f5e9506fed4657c9700eebdbec",
        Digest.response(Digest.MD5, ha1, "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", "00000001",
            "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ", "auth", "GET", "/dir/index.html"));
  }

  @Test
  void rfc2069FormWithoutQopIsHa1NonceHa2() {
    String withoutQop = Digest.response(Digest.MD5, RFC2617_HA1, RFC2617_NONCE, null, null, null, "GET",
        "/dir/index.html");
    // MD5(HA1 ":" nonce ":" HA2), computed independently with md5sum from the RFC 2617 HA1 and
    // HA2 = MD5("GET:/dir/index.html") = 39aff3a2bab6126f332b942af96d3366.
    assertEquals("670fd8c2df070c60b045671b8b24ff02", withoutQop);
    assertNotEquals("6629fae49393a05397450978507c4ef1", withoutQop, "must differ from the qop=auth form");
  }

  @Test
  void ha1sHoldsOneHashPerWireAlgorithm() {
    Map<String, String> ha1s = Digest.ha1s("Mufasa", "testrealm@host.com", "Circle Of Life");
    assertEquals(Map.of(
        Digest.MD5, RFC2617_HA1,
        Digest.SHA_256, Digest.ha1(Digest.SHA_256, "Mufasa", "testrealm@host.com", "Circle Of Life")), ha1s);
    assertEquals(64, ha1s.get(Digest.SHA_256).length(), "hex SHA-256");
  }

  @Test
  void unknownAlgorithmIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> Digest.hex("MD4-NOPE", "x"));
  }
}
