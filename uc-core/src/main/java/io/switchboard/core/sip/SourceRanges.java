package io.switchboard.core.sip;

import io.netty.handler.ipfilter.IpFilterRuleType;
import io.netty.handler.ipfilter.IpSubnetFilterRule;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * Source addresses the SIP throttles leave alone (a trusted proxy, the benchmark harness): IP
 * addresses and CIDR ranges as {@code sip.flood.exempt} lists them, matched by Netty's subnet rule.
 */
public final class SourceRanges {

  private final List<IpSubnetFilterRule> rules;

  /** @param ranges already validated by the configuration: {@code 192.0.2.7}, {@code 10.0.0.0/8}, {@code ::1} */
  public SourceRanges(List<String> ranges) {
    this.rules = ranges.stream().map(SourceRanges::rule).toList();
  }

  private static IpSubnetFilterRule rule(String range) {
    int slash = range.indexOf('/');
    String address = slash < 0 ? range : range.substring(0, slash);
    int bits = slash < 0 ? (NetUtil.isValidIpV4Address(address) ? 32 : 128) : Integer.parseInt(range.substring(slash + 1));
    return new IpSubnetFilterRule(address, bits, IpFilterRuleType.ACCEPT);
  }

  /** @param host an IP literal, as the SIP stack reports a peer */
  public boolean contains(String host) {
    if (rules.isEmpty()) {
      return false;
    }
    InetAddress address = NetUtil.createInetAddressFromIpAddressString(host);
    if (address == null) {
      return false;
    }
    InetSocketAddress socket = new InetSocketAddress(address, 0);
    for (IpSubnetFilterRule rule : rules) {
      if (rule.matches(socket)) {
        return true;
      }
    }
    return false;
  }
}
