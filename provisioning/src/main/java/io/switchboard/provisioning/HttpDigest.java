package io.switchboard.provisioning;

import io.switchboard.core.model.Device;
import io.switchboard.core.security.Digest;
import io.switchboard.core.store.DeviceStore;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HTTP digest (RFC 7616, MD5, qop=auth) for phones: user = the device's endpoint name, password =
 * its provisioning token. Nonces are stateless: a time and an HMAC over it with a key made at start,
 * accepted for {@link #NONCE_LIFETIME_MILLIS}.
 */
final class HttpDigest {

  static final String REALM = "switchboard-provisioning";
  static final long NONCE_LIFETIME_MILLIS = 300_000;
  private static final Pattern PARAM = Pattern.compile("(\\w+)=(?:\"([^\"]*)\"|([^,\\s]*))");

  private final Clock clock;
  private final byte[] key = new byte[32];

  HttpDigest(Clock clock) {
    this.clock = clock;
    new SecureRandom().nextBytes(key);
  }

  String challenge() {
    return "Digest realm=\"" + REALM + "\", qop=\"auth\", algorithm=MD5, nonce=\"" + nonce(clock.millis()) + "\"";
  }

  private String nonce(long millis) {
    return Long.toHexString(millis) + "-" + hmac(Long.toHexString(millis));
  }

  private boolean fresh(String nonce) {
    int dash = nonce == null ? -1 : nonce.indexOf('-');
    if (dash < 0) {
      return false;
    }
    try {
      long millis = Long.parseLong(nonce.substring(0, dash), 16);
      return MessageDigest.isEqual(nonce.getBytes(StandardCharsets.UTF_8), nonce(millis).getBytes(StandardCharsets.UTF_8))
          && clock.millis() - millis < NONCE_LIFETIME_MILLIS;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  private String hmac(String text) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(text.getBytes(StandardCharsets.UTF_8))).substring(0, 32);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static Map<String, String> params(String header) {
    Map<String, String> out = new HashMap<>();
    if (header == null || !header.regionMatches(true, 0, "Digest ", 0, 7)) {
      return out;
    }
    Matcher m = PARAM.matcher(header.substring(7));
    while (m.find()) {
      out.put(m.group(1).toLowerCase(java.util.Locale.ROOT), m.group(2) != null ? m.group(2) : m.group(3));
    }
    return out;
  }

  /** The device whose credentials the request carries; empty when they are missing, stale or wrong. */
  Future<Optional<Device>> authenticate(HttpServerRequest req, DeviceStore devices) {
    Map<String, String> p = params(req.getHeader("Authorization"));
    String user = p.get("username");
    if (user == null || !REALM.equals(p.get("realm")) || !fresh(p.get("nonce")) || p.get("response") == null
        || !req.uri().equals(p.get("uri"))) {
      return Future.succeededFuture(Optional.empty());
    }
    return devices.findByEndpoint(user).map(found -> found.filter(d -> {
      String ha1 = Digest.ha1(Digest.MD5, user, REALM, d.token());
      String qop = p.get("qop");
      String expected = Digest.response(Digest.MD5, ha1, p.get("nonce"), p.get("nc"), p.get("cnonce"),
          qop == null ? null : "auth", req.method().name(), p.get("uri"));
      return MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8),
          p.get("response").getBytes(StandardCharsets.UTF_8));
    }));
  }
}
