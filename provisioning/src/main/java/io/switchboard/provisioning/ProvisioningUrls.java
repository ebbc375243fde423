package io.switchboard.provisioning;

import io.switchboard.core.model.Device;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * The URL a desk phone is given. With token authentication the token is a path segment
 * ({@code <base>/provision/<token>/}) and the phone appends its file names; with digest the URL
 * carries the device's credentials as user information ({@code http://<endpoint>:<token>@host/provision/}),
 * which phones take as their provisioning user name and password.
 */
public record ProvisioningUrls(String baseUrl, boolean digest) {

  public static final String PREFIX = "/provision/";
  /** The certificate phones should trust (with TLS on), served to anyone: {@code <base>/provision/switchboard-ca.pem}. */
  public static final String CERTIFICATE_FILE = "switchboard-ca.pem";

  /** Where phones download the certificate to trust. */
  public String certificate() {
    return baseUrl + PREFIX + CERTIFICATE_FILE;
  }

  /** @return null for devices that are not provisioned over HTTP (without a MAC) */
  public String forDevice(Device d) {
    if (d.mac() == null || d.vendor() == null || Vendor.fromWire(d.vendor()).isEmpty()) {
      return null;
    }
    if (!digest) {
      return baseUrl + PREFIX + d.token() + "/";
    }
    int scheme = baseUrl.indexOf("://") + 3;
    return baseUrl.substring(0, scheme) + enc(d.endpoint()) + ":" + enc(d.token()) + "@" + baseUrl.substring(scheme) + PREFIX;
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
