package io.switchboard.provisioning;

import com.github.mustachejava.DefaultMustacheFactory;
import com.github.mustachejava.Mustache;
import com.github.mustachejava.MustacheException;
import io.switchboard.core.text.Xml;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The per-vendor phone-file templates (Mustache), compiled once: the built-in ones under
 * {@code templates/<vendor>/<name>.mustache} on the classpath, each replaced by a file of the same
 * relative path under the operator's template directory when there is one. Rendering is pure: a
 * model in, bytes out. Values are escaped for the format: XML escaping for XML files, and for
 * key = value files no line breaks (a value cannot add a key).
 */
public final class PhoneTemplates {

  private static final Logger LOG = LoggerFactory.getLogger(PhoneTemplates.class);

  private final Map<Vendor, Map<String, Mustache>> compiled = new EnumMap<>(Vendor.class);

  /** Blocking (reads files): construct on a worker. */
  public PhoneTemplates(Optional<Path> overrides) {
    for (Vendor v : Vendor.values()) {
      DefaultMustacheFactory factory = v.xml() ? new Escaping(Xml::escape) : new Escaping(PhoneTemplates::line);
      Map<String, Mustache> byName = new HashMap<>();
      for (String template : v.templates()) {
        String relative = v.wireName() + "/" + template + "." + extension(v, template) + ".mustache";
        byName.put(template, compile(factory, relative, overrides));
      }
      compiled.put(v, byName);
    }
  }

  private static String extension(Vendor v, String template) {
    return switch (v) {
      case YEALINK, POLYCOM -> "cfg";
      case SNOM -> "htm";
      case CISCO, GRANDSTREAM -> "xml";
    };
  }

  private static Mustache compile(DefaultMustacheFactory factory, String relative, Optional<Path> overrides) {
    Optional<Path> file = overrides.map(d -> d.resolve(relative)).filter(Files::isRegularFile);
    try (Reader in = file.isPresent() ? Files.newBufferedReader(file.get(), StandardCharsets.UTF_8) : classpath(relative)) {
      Mustache m = factory.compile(in, relative);
      if (file.isPresent()) {
        LOG.info("Phone template overridden [template: {}, file: {}]", relative, file.get());
      }
      return m;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read template " + relative, e);
    } catch (MustacheException e) {
      throw new IllegalArgumentException("template " + file.map(Path::toString).orElse(relative) + ": " + e.getMessage(), e);
    }
  }

  private static Reader classpath(String relative) {
    InputStream in = PhoneTemplates.class.getResourceAsStream("/templates/" + relative);
    if (in == null) {
      throw new IllegalStateException("missing built-in template " + relative);
    }
    return new InputStreamReader(in, StandardCharsets.UTF_8);
  }

  /** Renders {@code template} of {@code vendor} with {@code model} (see {@link PhoneModel}). */
  public byte[] render(Vendor vendor, String template, Map<String, Object> model) {
    Mustache m = compiled.get(vendor).get(template);
    if (m == null) {
      throw new IllegalArgumentException("no template " + template + " for " + vendor.wireName());
    }
    StringWriter out = new StringWriter();
    m.execute(out, model);
    return out.toString().getBytes(StandardCharsets.UTF_8);
  }

  static String line(String s) {
    return s.replaceAll("[\\r\\n]+", " ");
  }

  /** Mustache with the escaping of the file format instead of HTML's. */
  private static final class Escaping extends DefaultMustacheFactory {
    private final java.util.function.UnaryOperator<String> escape;

    Escaping(java.util.function.UnaryOperator<String> escape) {
      this.escape = escape;
    }

    @Override
    public void encode(String value, Writer writer) {
      try {
        writer.write(escape.apply(value));
      } catch (IOException e) {
        throw new MustacheException("cannot write", e);
      }
    }
  }
}
