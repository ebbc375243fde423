import io.switchboard.core.metrics.Metrics;
/** What recording costs: nanoseconds per SIP answer (a counter and a histogram) and per counter; one scrape. */
public class MetricsOverhead {
  public static void main(String[] a) {
    Metrics m = new Metrics();
    String[] methods = {"REGISTER", "MESSAGE", "OPTIONS", "SUBSCRIBE"};
    for (int round = 0; round < 5; round++) {
      int n = 2_000_000;
      long t0 = System.nanoTime();
      for (int i = 0; i < n; i++) {
        m.sipAnswered(methods[i & 3], (i & 7) == 0 ? 401 : 200, 1_000_000L + i);
      }
      long t1 = System.nanoTime();
      for (int i = 0; i < n; i++) {
        m.message(Metrics.MessageOutcome.ACCEPTED);
      }
      long t2 = System.nanoTime();
      System.out.printf("sipAnswered %.0f ns/op, counter %.0f ns/op%n", (t1 - t0) / (double) n, (t2 - t1) / (double) n);
    }
    long s0 = System.nanoTime();
    String text = null;
    for (int i = 0; i < 50; i++) text = m.scrape();
    System.out.printf("scrape %.2f ms, %d bytes%n", (System.nanoTime() - s0) / 50 / 1e6, text.length());
  }
}
