package io.switchboard.core.sip;

import gov.nist.javax.sip.address.AddressFactoryImpl;
import gov.nist.javax.sip.header.HeaderFactoryImpl;
import gov.nist.javax.sip.message.MessageFactoryImpl;
import javax.sip.address.AddressFactory;
import javax.sip.header.HeaderFactory;
import javax.sip.message.MessageFactory;

/** JAIN-SIP's stateless factories, created directly rather than through the SipFactory singleton. */
public record SipFactories(MessageFactory messages, HeaderFactory headers, AddressFactory addresses) {

  public static SipFactories create() {
    return new SipFactories(new MessageFactoryImpl(), new HeaderFactoryImpl(), new AddressFactoryImpl());
  }
}
