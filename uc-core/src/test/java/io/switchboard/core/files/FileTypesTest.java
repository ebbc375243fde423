package io.switchboard.core.files;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The type a file is served as, from its claim and its first bytes; sizes as phones are told them. */
class FileTypesTest {

  private static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13};
  private static final byte[] TEXT = "hello, world".getBytes(StandardCharsets.US_ASCII);

  @Test
  void aClaimTheBytesBearOutIsKept() {
    assertEquals("image/png", FileTypes.checked("image/png", PNG));
    assertEquals("image/jpeg", FileTypes.checked("IMAGE/JPEG", new byte[] {(byte) 0xff, (byte) 0xd8, (byte) 0xff, 0}));
    assertEquals("image/gif", FileTypes.checked("image/gif", "GIF89a....".getBytes(StandardCharsets.US_ASCII)));
    assertEquals("image/webp", FileTypes.checked("image/webp", "RIFF\0\0\0\0WEBPVP8 ".getBytes(StandardCharsets.US_ASCII)));
    assertEquals("application/pdf", FileTypes.checked("application/pdf; name=x", "%PDF-1.7".getBytes(StandardCharsets.US_ASCII)));
    assertEquals("text/plain", FileTypes.checked("text/plain;charset=UTF-8", TEXT), "no magic to check: as claimed");
  }

  @Test
  void aClaimTheBytesContradictOrThatWouldRunIsOnlyBytes() {
    assertEquals(FileTypes.OCTET_STREAM, FileTypes.checked("image/png", TEXT));
    assertEquals(FileTypes.OCTET_STREAM, FileTypes.checked("image/webp", "RIFF\0\0\0\0WAVEfmt ".getBytes(StandardCharsets.US_ASCII)));
    assertEquals(FileTypes.OCTET_STREAM, FileTypes.checked("application/pdf", PNG));
    assertEquals(FileTypes.OCTET_STREAM, FileTypes.checked("text/html", TEXT));
    assertEquals(FileTypes.OCTET_STREAM, FileTypes.checked("image/svg+xml", TEXT));
    assertEquals(FileTypes.OCTET_STREAM, FileTypes.checked("image/bmp", TEXT), "an image we cannot check");
    assertEquals(FileTypes.OCTET_STREAM, FileTypes.checked(null, PNG));
    assertEquals(FileTypes.OCTET_STREAM, FileTypes.checked("not a type", PNG));
    assertEquals(FileTypes.OCTET_STREAM, FileTypes.checked("image/png", new byte[0]));
  }

  @Test
  void sizesInDecimalUnits() {
    assertEquals("1 byte", FileTypes.humanSize(1));
    assertEquals("999 bytes", FileTypes.humanSize(999));
    assertEquals("1.0 KB", FileTypes.humanSize(1000));
    assertEquals("123 KB", FileTypes.humanSize(123_456));
    assertEquals("1.2 MB", FileTypes.humanSize(1_234_567));
    assertEquals("26 MB", FileTypes.humanSize(26_214_400));
  }
}
