package io.switchboard.core.device;

import io.switchboard.core.model.Device;
import java.util.List;
import java.util.Locale;

/**
 * A device's class for the device in use: what provisioning says (its kind), else what its User-Agent
 * says: a known desk-phone vendor, a mobile client (Linphone, Android, iOS), else a softphone. The web
 * console is {@link Device.Kind#WEB}. Pure.
 */
public final class DeviceClass {

  /** Vendors that make desk phones, as their firmware names itself in User-Agent. */
  private static final List<String> DESK_VENDORS = List.of("yealink", "polycom", "poly ", "snom", "cisco",
      "grandstream", "fanvil", "gigaset", "aastra", "mitel", "avaya", "htek", "alcatel", "panasonic", "obihai",
      "spectralink", "audiocodes");
  /** Mobile clients and platforms (Linphone is counted as mobile: it is what the office's phones run). */
  private static final List<String> MOBILE = List.of("linphone", "android", "iphone", "ipad", "ios", "groundwire",
      "acrobits", "sipnetic", "mobile");

  private DeviceClass() {
  }

  /** @param provisioned the provisioned device's kind, or null; @param userAgent the REGISTER's, or null */
  public static Device.Kind of(Device.Kind provisioned, String userAgent) {
    return provisioned != null ? provisioned : fromUserAgent(userAgent);
  }

  public static Device.Kind fromUserAgent(String userAgent) {
    if (userAgent == null) {
      return Device.Kind.SOFTPHONE;
    }
    String ua = userAgent.toLowerCase(Locale.ROOT) + " ";
    if (DESK_VENDORS.stream().anyMatch(ua::contains)) {
      return Device.Kind.DESK_PHONE;
    }
    if (MOBILE.stream().anyMatch(ua::contains)) {
      return Device.Kind.MOBILE;
    }
    return Device.Kind.SOFTPHONE;
  }
}
