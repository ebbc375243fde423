package io.switchboard.provisioning;

import io.switchboard.core.model.Device;
import io.switchboard.core.model.User;
import java.util.List;
import java.util.Map;

/**
 * Asterisk's view of what is provisioned, as a pjsip.conf fragment: for every SIP device of an
 * enabled user an endpoint, an auth and an AOR, all named after the device's endpoint. Field names
 * are the ones Asterisk 22 reports in {@code PJSIPShowEndpoint} (EndpointDetail, AuthDetail,
 * AorDetail), in pjsip.conf spelling. Pure: devices and users in, text out.
 */
public final class PjsipConfig {

  private PjsipConfig() {
  }

  /**
   * @param users by username; devices of users missing here or disabled are left out (so a disabled
   *     user's phones cannot register or call)
   */
  public static String render(List<Device> devices, Map<String, User> users, String context, String voicemail) {
    StringBuilder b = new StringBuilder();
    b.append("; Written by Switchboard from its provisioned devices; changes here are overwritten.\n");
    b.append("; Include it from pjsip.conf with: #include <this file's path>\n");
    for (Device d : devices) {
      User u = users.get(d.username());
      if (!d.kind().sipPhone() || d.endpoint() == null || d.sipSecret() == null || u == null || !u.enabled()) {
        continue;
      }
      String number = u.extension() != null ? u.extension() : d.endpoint();
      String name = (u.displayName() == null ? u.username() : u.displayName()).replaceAll("[\"\\r\\n;]", "");
      String ep = d.endpoint();
      b.append('\n');
      b.append("; ").append(u.username()).append(", ").append(d.kind().wireName())
          .append(d.vendor() == null ? "" : " " + d.vendor()).append(", device ").append(d.id()).append('\n');
      section(b, ep, "endpoint");
      b.append("context=").append(context).append('\n');
      b.append("disallow=all\n");
      b.append("allow=ulaw,alaw\n");
      b.append("aors=").append(ep).append('\n');
      b.append("auth=").append(ep).append('\n');
      b.append("callerid=\"").append(name).append("\" <").append(number).append(">\n");
      if (u.extension() != null) {
        b.append("mailboxes=").append(u.extension()).append("@default\n");
      }
      b.append("voicemail_extension=").append(voicemail).append('\n');
      b.append("subscribe_context=").append(context).append('\n');
      b.append("allow_subscribe=yes\n");
      b.append("direct_media=no\n");
      b.append("rtp_symmetric=yes\n");
      b.append("force_rport=yes\n");
      b.append("rewrite_contact=yes\n");
      b.append("dtmf_mode=rfc4733\n");
      section(b, ep, "auth");
      b.append("auth_type=userpass\n");
      b.append("username=").append(ep).append('\n');
      b.append("password=").append(d.sipSecret()).append('\n');
      section(b, ep, "aor");
      b.append("max_contacts=1\n");
      b.append("remove_existing=yes\n");
      b.append("qualify_frequency=30\n");
      if (u.extension() != null) {
        b.append("mailboxes=").append(u.extension()).append("@default\n");
      }
    }
    return b.toString();
  }

  private static void section(StringBuilder b, String name, String type) {
    b.append('[').append(name).append("]\n").append("type=").append(type).append('\n');
  }
}
