package io.switchboard.server;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict reader of Prometheus' text exposition format (0.0.4), for the metrics tests: every line is
 * a HELP, a TYPE or a sample {@code name{labels} value}; each family has one HELP and one TYPE,
 * before its samples, which come together; a sample's name is its family's or the family's with a
 * suffix its type allows ({@code _bucket}, {@code _count}, {@code _sum} for histograms); a
 * histogram's {@code +Inf} bucket equals its count. Anything else fails with the line.
 */
final class PrometheusText {

  private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
  private static final Pattern SAMPLE = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)\\})? (\\S+)( -?[0-9]+)?");
  private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\\\n]|\\\\[\\\\\"n])*)\"");
  private static final Set<String> TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped");

  /** Series ({@code name{a="x",b="y"}}, labels sorted) to value. */
  final Map<String, Double> series = new HashMap<>();
  /** Family to type. */
  final Map<String, String> types = new HashMap<>();
  /** Every label name used by a family. */
  final Map<String, Set<String>> labelNames = new HashMap<>();

  static PrometheusText parse(String text) {
    PrometheusText p = new PrometheusText();
    Set<String> helped = new HashSet<>();
    Set<String> closed = new HashSet<>();
    String current = null;
    int n = 0;
    for (String line : text.split("\n", -1)) {
      n++;
      if (line.isEmpty()) {
        continue;
      }
      String where = "line " + n + ": " + line;
      if (line.startsWith("# HELP ") || line.startsWith("# TYPE ")) {
        String[] parts = line.split(" ", 4);
        check(parts.length >= 3 && NAME.matcher(parts[2]).matches(), where);
        String family = parts[2];
        check(!closed.contains(family), "family " + family + " seen again after other families: " + where);
        if (!family.equals(current) && current != null) {
          closed.add(current);
        }
        current = family;
        if (line.startsWith("# HELP ")) {
          check(helped.add(family), "second HELP: " + where);
        } else {
          check(parts.length == 4 && TYPES.contains(parts[3]), "bad TYPE: " + where);
          check(p.types.put(family, parts[3]) == null, "second TYPE: " + where);
        }
        continue;
      }
      check(!line.startsWith("#"), "a comment that is neither HELP nor TYPE: " + where);
      Matcher m = SAMPLE.matcher(line);
      check(m.matches(), "not name{labels} value: " + where);
      String name = m.group(1);
      String family = familyOf(p.types, name);
      check(family != null, "a sample without a TYPE before it: " + where);
      check(family.equals(current), "a sample away from its family's block: " + where);
      Map<String, String> labels = new TreeMap<>();
      if (m.group(3) != null && !m.group(3).isEmpty()) {
        String rest = m.group(3);
        Matcher l = LABEL.matcher(rest);
        int at = 0;
        while (at < rest.length()) {
          check(l.find(at) && l.start() == at, "bad labels: " + where);
          check(labels.put(l.group(1), l.group(2)) == null, "repeated label: " + where);
          at = l.end();
          if (at < rest.length()) {
            check(rest.charAt(at) == ',', "labels not separated by commas: " + where);
            at++;
          }
        }
      }
      double value = switch (m.group(4)) {
        case "+Inf" -> Double.POSITIVE_INFINITY;
        case "-Inf" -> Double.NEGATIVE_INFINITY;
        case "NaN" -> Double.NaN;
        default -> {
          try {
            yield Double.parseDouble(m.group(4));
          } catch (NumberFormatException e) {
            throw new AssertionError("bad value: " + where);
          }
        }
      };
      if (name.endsWith("_bucket")) {
        check(labels.containsKey("le"), "a bucket without le: " + where);
      }
      p.labelNames.computeIfAbsent(family, f -> new HashSet<>()).addAll(labels.keySet());
      check(p.series.put(key(name, labels), value) == null, "repeated series: " + where);
    }
    for (var e : p.types.entrySet()) {
      if (e.getValue().equals("histogram")) {
        for (var s : p.series.entrySet()) {
          if (s.getKey().startsWith(e.getKey() + "_count")) {
            String labels = s.getKey().substring((e.getKey() + "_count").length());
            String inf = labels.isEmpty() ? "{le=\"+Inf\"}" : labels.replace("}", ",le=\"+Inf\"}");
            Double bucket = p.series.get(sortedKey(e.getKey() + "_bucket" + inf));
            check(bucket != null && bucket.equals(s.getValue()), "+Inf bucket differs from the count: " + s.getKey());
          }
        }
      }
    }
    return p;
  }

  /** The family a sample belongs to: its own name, or its name without a suffix its family's type allows. */
  private static String familyOf(Map<String, String> types, String name) {
    if (types.containsKey(name)) {
      return name;
    }
    for (String suffix : List.of("_bucket", "_count", "_sum", "_created", "_total")) {
      if (name.endsWith(suffix)) {
        String family = name.substring(0, name.length() - suffix.length());
        String type = types.get(family);
        boolean allowed = type != null && switch (suffix) {
          case "_bucket" -> type.equals("histogram");
          case "_count", "_sum" -> type.equals("histogram") || type.equals("summary");
          case "_total" -> type.equals("counter");
          default -> true;
        };
        if (allowed) {
          return family;
        }
      }
    }
    return null;
  }

  static String key(String name, Map<String, String> labels) {
    StringBuilder b = new StringBuilder(name);
    if (!labels.isEmpty()) {
      b.append('{');
      labels.forEach((k, v) -> b.append(k).append("=\"").append(v).append("\","));
      b.setCharAt(b.length() - 1, '}');
    }
    return b.toString();
  }

  /** A key written by hand, e.g. {@code x{b="1",a="2"}}, with its labels sorted. */
  static String sortedKey(String written) {
    int brace = written.indexOf('{');
    if (brace < 0) {
      return written;
    }
    Map<String, String> labels = new TreeMap<>();
    Matcher l = LABEL.matcher(written.substring(brace + 1, written.length() - 1));
    while (l.find()) {
      labels.put(l.group(1), l.group(2));
    }
    return key(written.substring(0, brace), labels);
  }

  /** The value of a series written by hand ({@code name{label="v"}}); 0 when absent. */
  double value(String series) {
    return this.series.getOrDefault(sortedKey(series), 0.0);
  }

  boolean has(String series) {
    return this.series.containsKey(sortedKey(series));
  }

  private static void check(boolean ok, String what) {
    if (!ok) {
      throw new AssertionError("not Prometheus text format: " + what);
    }
  }
}
