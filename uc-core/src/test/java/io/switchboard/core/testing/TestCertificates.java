package io.switchboard.core.testing;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Throwaway certificates made by openssl for loopback TLS tests (CN and SAN name 127.0.0.1). */
public final class TestCertificates {

  /** The kinds of private key file servers are given. */
  public enum KeyForm { EC_PKCS8, EC_SEC1, RSA_PKCS1 }

  public record Pair(Path cert, Path key, BigInteger serial) {
  }

  private TestCertificates() {
  }

  /** A self-signed certificate with the given serial, written to {@code dir/<name>.crt} and {@code .key}. */
  public static Pair create(Path dir, String name, long serial, KeyForm form) throws IOException, InterruptedException {
    Path cert = dir.resolve(name + ".crt");
    Path key = dir.resolve(name + ".key");
    List<String> req = new ArrayList<>(List.of("openssl", "req", "-x509", "-nodes", "-days", "2",
        "-subj", "/CN=switchboard.test", "-addext", "subjectAltName=IP:127.0.0.1,DNS:switchboard.test",
        "-set_serial", String.valueOf(serial), "-keyout", key.toString(), "-out", cert.toString(), "-newkey"));
    req.addAll(form == KeyForm.RSA_PKCS1 ? List.of("rsa:2048") : List.of("ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"));
    run(req);
    if (form == KeyForm.RSA_PKCS1) {
      run(List.of("openssl", "rsa", "-traditional", "-in", key.toString(), "-out", key.toString()));
    } else if (form == KeyForm.EC_SEC1) {
      run(List.of("openssl", "ec", "-in", key.toString(), "-out", key.toString()));
    }
    return new Pair(cert, key, BigInteger.valueOf(serial));
  }

  private static void run(List<String> command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    byte[] output = p.getInputStream().readAllBytes();
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IOException(String.join(" ", command) + " failed: " + new String(output));
    }
  }

  /** The serial (hex, lower case) of the certificate a new handshake on 127.0.0.1:port presents, read by openssl s_client. */
  public static String servedSerial(int port, Path ca) throws IOException, InterruptedException {
    Process p = new ProcessBuilder("sh", "-c", "openssl s_client -connect 127.0.0.1:" + port + " -CAfile " + ca
        + " -verify_return_error </dev/null 2>/dev/null | openssl x509 -noout -serial").redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).trim();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException("s_client did not end");
    }
    return out.replaceFirst("^serial=0*", "").toLowerCase(java.util.Locale.ROOT);
  }

  /** Replaces {@code target} by {@code source} in one step (a rename), as a careful operator does. */
  public static void replace(Path source, Path target) throws IOException {
    Path temporary = Files.createTempFile(target.getParent(), "replace", ".tmp");
    Files.copy(source, temporary, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Files.move(temporary, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }
}
