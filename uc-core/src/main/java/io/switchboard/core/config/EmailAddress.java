package io.switchboard.core.config;

import java.util.regex.Pattern;

/**
 * What Switchboard accepts as an e-mail address (a configured sender, a user's address): one
 * {@code local@domain}, no display name, no spaces or angle brackets, at most 254 characters. A
 * deliberately plain check: the SMTP server has the last word.
 */
public final class EmailAddress {

  private static final Pattern ADDRESS = Pattern.compile(
      "[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*");

  private EmailAddress() {
  }

  public static boolean valid(String address) {
    return address != null && address.length() <= 254 && ADDRESS.matcher(address).matches();
  }
}
