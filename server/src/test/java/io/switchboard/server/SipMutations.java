package io.switchboard.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Mutated SIP requests made from recorded valid ones ({@code src/test/resources/fuzz/sip/}), for
 * {@link SipFuzzTest}. Pure: a seed, a {@link Random} and a kind in, bytes out, so a failing run is
 * replayed from its seed.
 */
final class SipMutations {

  /** What was done to a request; the test checks the answers per kind. */
  enum Kind {
    NONE, TRUNCATED, DOUBLED_HEADER, HUGE_HEADER, OVERSIZED, BAD_UTF8, BAD_CONTENT_LENGTH,
    MISSING_MANDATORY, BAD_VIA, BAD_CSEQ, BAD_FROM_TO, BAD_REQUEST_LINE, BYTE_FLIPS, COMBINED;

    /** Without one of these a request cannot be answered with anything but 400. */
    boolean breaksMandatoryHeader() {
      return this == MISSING_MANDATORY;
    }
  }

  static final String[] SEEDS = {"register.sip", "register-digest.sip", "message.sip", "message-cpim.sip",
      "subscribe.sip", "publish.sip", "options.sip"};

  /** The server's limit (gov.nist.javax.sip.MAX_MESSAGE_SIZE). */
  static final int MAX_MESSAGE = 64 * 1024;

  private static final String[] MANDATORY = {"Via", "From", "To", "Call-ID", "CSeq"};
  /** Each either unparseable or with rport, so that no answer goes to a port nobody asked for (5060). */
  private static final String[] BAD_VIAS = {"Via: garbage", "Via: SIP/2.0/XYZ 127.0.0.1;rport;branch=z9hG4bKx",
      "Via: SIP/2.0/UDP", "Via: SIP/2.0/UDP 127.0.0.1:99999;rport;branch=z9hG4bKx", "Via: SIP/2.0/UDP 127.0.0.1:-1;rport",
      "Via: SIP/2.0/UDP [::1;branch=z9hG4bKx", "Via: SIP/2.0/UDP 127.0.0.1;rport;branch=", "Via: SIP/3.0/UDP 127.0.0.1;rport",
      "Via: SIP/2.0/UDP 127.0.0.1;rport=abc;branch=z9hG4bKx", "Via: ,,,",
      "Via: SIP/2.0/UDP 127.0.0.1;rport;received=not-an-ip;branch=z9hG4bKx", "Via: SIP/2.0/UDP 127.0.0.1;rport;branch=z9hG4bK1;branch=2"};
  private static final String[] BAD_CSEQS = {"CSeq: abc REGISTER", "CSeq: -1 REGISTER", "CSeq: 1",
      "CSeq: 99999999999999999999 MESSAGE", "CSeq: 1 INVITE", "CSeq: 4294967296 SUBSCRIBE", "CSeq:", "CSeq: 1 1 1",
      "CSeq: 0x10 OPTIONS"};
  private static final String[] BAD_FROM_TO = {"From: <sip:>", "To: nobody", "From: <sip:a@b>;tag=", "To: <>",
      "From: \"unterminated <sip:a@b>", "To: <sip:a@b;tag=1", "From: <tel:+1-555>;tag=1", "To: <sip:@>",
      "From: <sip:a@b>;tag=1;tag=2", "To: sip:a@b;tag=x;;;", "From: <sips:%00@[::1]>;tag=1"};
  private static final String[] BAD_REQUEST_LINES = {"REGISTER SIP/2.0", "REGISTER sip:x SIP/3.0", "MESSAGE tel:+1555 SIP/2.0",
      " sip:x SIP/2.0", "OPTIONS sip:x", "FOO sip:x SIP/2.0", "SUBSCRIBE sip:@ SIP/2.0", "REGISTER http://x SIP/2.0",
      "MESSAGE <sip:x> SIP/2.0", "REGISTER sip:x SIP/2.0 extra", "\u0000\u0001 sip:x SIP/2.0", "PUBLISH sip:a@b@c SIP/2.0"};
  private static final String[] BAD_LENGTHS = {"-1", "-2147483648", "99999999999", "abc", "", "1e3", "0x10", "65537",
      "2147483647", " 12 ", "-0"};
  private static final byte[][] BAD_UTF8 = {{(byte) 0xC3, 0x28}, {(byte) 0xFF}, {(byte) 0xFE, (byte) 0xFF},
      {(byte) 0xC0, (byte) 0x80}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80},
      {(byte) 0xE2, (byte) 0x82}, {0x00}};

  private final List<String> seeds = new ArrayList<>();

  private SipMutations() {
  }

  static SipMutations load() {
    SipMutations m = new SipMutations();
    for (String name : SEEDS) {
      try (InputStream in = SipMutations.class.getResourceAsStream("/fuzz/sip/" + name)) {
        if (in == null) {
          throw new IllegalArgumentException("no seed fuzz/sip/" + name);
        }
        m.seeds.add(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return m;
  }

  /**
   * A valid request, one char per byte (see {@link #asBytes}): seed {@code index} filled in (CRLF line ends, the body's length).
   *
   * @param localPort where answers should go (the Via's port)
   */
  String valid(int index, String transport, int localPort, String domain, String callId) {
    String text = seeds.get(index % seeds.size()).replace("\r\n", "\n")
        .replace("[transport]", transport).replace("[local_port]", String.valueOf(localPort))
        .replace("[domain]", domain).replace("[call_id]", callId)
        .replace("[branch]", "z9hG4bK-" + callId);
    int blank = text.indexOf("\n\n");
    String head = text.substring(0, blank);
    String body = text.substring(blank + 2);
    head = head.replace("[len]", String.valueOf(body.replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8).length));
    return asBytes((head + "\n\n" + body).replace("\n", "\r\n"));
  }

  /** A random kind, weighted so that every kind is met hundreds of times in 10,000 requests. */
  static Kind pick(Random random) {
    Kind[] kinds = Kind.values();
    return kinds[random.nextInt(kinds.length)];
  }

  /**
   * @param maxSize what the transport can carry in one piece (a UDP datagram), or more for TCP
   */
  byte[] mutate(String valid, Kind kind, Random random, int maxSize) {
    return switch (kind) {
      case NONE -> bytes(valid);
      case TRUNCATED -> Arrays.copyOf(bytes(valid), random.nextInt(Math.max(1, bytes(valid).length)));
      case DOUBLED_HEADER -> bytes(doubleHeader(valid, random));
      case HUGE_HEADER -> bytes(withHeader(valid, "X-Fuzz", "h".repeat(1024 + random.nextInt(Math.min(maxSize, MAX_MESSAGE) - 4096))));
      case OVERSIZED -> {
        // up to the largest datagram over UDP, beyond the server's 64 KiB over TCP; a huge Subject or top Via
        String filler = "o".repeat(Math.min(maxSize, MAX_MESSAGE + 8192) - valid.length() - 40);
        yield bytes(random.nextBoolean() ? withHeader(valid, "Subject", filler)
            : valid.replaceFirst("(?m)^(Via: [^\\r]*)", "$1;x=" + filler));
      }
      case BAD_UTF8 -> badUtf8(valid, random);
      case BAD_CONTENT_LENGTH -> bytes(replaceHeader(valid, "Content-Length",
          "Content-Length: " + BAD_LENGTHS[random.nextInt(BAD_LENGTHS.length)]));
      case MISSING_MANDATORY -> bytes(removeHeader(valid, MANDATORY[random.nextInt(MANDATORY.length)]));
      case BAD_VIA -> bytes(replaceHeader(valid, "Via", BAD_VIAS[random.nextInt(BAD_VIAS.length)]));
      case BAD_CSEQ -> bytes(replaceHeader(valid, "CSeq", BAD_CSEQS[random.nextInt(BAD_CSEQS.length)]));
      case BAD_FROM_TO -> {
        String line = BAD_FROM_TO[random.nextInt(BAD_FROM_TO.length)];
        yield bytes(replaceHeader(valid, line.substring(0, line.indexOf(':')), line));
      }
      case BAD_REQUEST_LINE -> bytes(BAD_REQUEST_LINES[random.nextInt(BAD_REQUEST_LINES.length)]
          + valid.substring(Math.max(0, valid.indexOf("\r\n"))));
      case BYTE_FLIPS -> flip(bytes(valid), random, 1 + random.nextInt(8));
      case COMBINED -> {
        byte[] out = bytes(valid);
        for (int i = 0; i < 2 + random.nextInt(2); i++) {
          Kind k = Kind.values()[1 + random.nextInt(Kind.COMBINED.ordinal() - 1)];
          if (k != Kind.OVERSIZED && k != Kind.HUGE_HEADER) {
            out = mutate(new String(out, StandardCharsets.ISO_8859_1), k, random, maxSize);
          }
        }
        yield out;
      }
    };
  }

  private static byte[] bytes(String s) {
    // ISO-8859-1 keeps mutated bytes (bad UTF-8 included) as they are; valid seeds are UTF-8 already.
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  /** Valid seeds are UTF-8; as ISO-8859-1 text each byte is one char, so byte-level mutations compose. */
  private static String asBytes(String utf8) {
    return new String(utf8.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
  }

  private static String doubleHeader(String msg, Random random) {
    String[] lines = msg.split("\r\n", -1);
    int end = headerEnd(lines);
    if (end <= 1) {
      return msg;
    }
    int pick = 1 + random.nextInt(end - 1);
    List<String> out = new ArrayList<>(Arrays.asList(lines));
    String copy = lines[pick];
    if (random.nextBoolean() && copy.contains(":")) {
      // the same header, another value: two Content-Lengths, two CSeqs, two Expires...
      copy = copy.substring(0, copy.indexOf(':') + 1) + " " + random.nextInt(100);
    }
    out.add(pick + 1 + random.nextInt(end - pick), copy);
    return String.join("\r\n", out);
  }

  private static String withHeader(String msg, String name, String value) {
    int eol = msg.indexOf("\r\n");
    if (eol < 0) {
      return msg + "\r\n" + name + ": " + value;
    }
    return msg.substring(0, eol) + "\r\n" + name + ": " + value + msg.substring(eol);
  }

  private static String replaceHeader(String msg, String name, String line) {
    String[] lines = msg.split("\r\n", -1);
    int end = headerEnd(lines);
    for (int i = 1; i < end; i++) {
      if (lines[i].regionMatches(true, 0, name + ":", 0, name.length() + 1)) {
        lines[i] = line;
        return String.join("\r\n", lines);
      }
    }
    return withHeader(msg, name, line.substring(line.indexOf(':') + 1).trim());
  }

  private static String removeHeader(String msg, String name) {
    String[] lines = msg.split("\r\n", -1);
    int end = headerEnd(lines);
    List<String> out = new ArrayList<>();
    for (int i = 0; i < lines.length; i++) {
      if (!(i > 0 && i < end && lines[i].regionMatches(true, 0, name + ":", 0, name.length() + 1))) {
        out.add(lines[i]);
      }
    }
    return String.join("\r\n", out);
  }

  private static int headerEnd(String[] lines) {
    for (int i = 0; i < lines.length; i++) {
      if (lines[i].isEmpty()) {
        return i;
      }
    }
    return lines.length;
  }

  private static byte[] badUtf8(String msg, Random random) {
    byte[] in = bytes(msg);
    byte[] bad = BAD_UTF8[random.nextInt(BAD_UTF8.length)];
    int at = in.length < 2 ? in.length : 1 + random.nextInt(in.length - 1);
    ByteArrayOutputStream out = new ByteArrayOutputStream(in.length + bad.length);
    out.write(in, 0, at);
    out.write(bad, 0, bad.length);
    out.write(in, at, in.length - at);
    return out.toByteArray();
  }

  private static byte[] flip(byte[] in, Random random, int flips) {
    byte[] out = in.clone();
    for (int i = 0; i < flips && out.length > 0; i++) {
      int at = random.nextInt(out.length);
      out[at] = (byte) (out[at] ^ (1 << random.nextInt(8)));
    }
    return out;
  }
}
