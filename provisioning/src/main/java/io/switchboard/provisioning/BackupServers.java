package io.switchboard.provisioning;

import io.switchboard.core.config.SwitchboardConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The backup servers a node's phones are given for their Switchboard account, from
 * {@code provisioning.backup-servers}. Pure. An entry without a port gets the node's own SIP port
 * for phones; the entry that is this node itself is left out and the list is read from the entry
 * after it, wrapping around, so that every node can carry the same list and a dead node's phones
 * move to the node after it rather than all to the first one listed.
 */
final class BackupServers {

  private BackupServers() {
  }

  /**
   * @param ownHost the host phones are given for this node (the SIP advertised address)
   * @param phonePort the port phones are given for this node ({@code sip.port}, or {@code sip.tls-port} with TLS)
   */
  static List<PhoneModel.Server> forNode(List<SwitchboardConfig.SipServer> listed, String ownHost, int phonePort) {
    List<PhoneModel.Server> servers = new ArrayList<>();
    for (SwitchboardConfig.SipServer s : listed) {
      servers.add(new PhoneModel.Server(s.host(), s.port() == 0 ? phonePort : s.port()));
    }
    int at = -1;
    for (int i = 0; i < servers.size() && at < 0; i++) {
      if (bare(servers.get(i).host()).equals(bare(ownHost)) && servers.get(i).port() == phonePort) {
        at = i;
      }
    }
    if (at < 0) {
      return List.copyOf(servers);
    }
    List<PhoneModel.Server> after = new ArrayList<>(servers.subList(at + 1, servers.size()));
    after.addAll(servers.subList(0, at));
    return List.copyOf(after);
  }

  /** An IPv6 address without its brackets, any host in lower case. */
  private static String bare(String host) {
    return host.replaceAll("^\\[|\\]$", "").toLowerCase(Locale.ROOT);
  }
}
