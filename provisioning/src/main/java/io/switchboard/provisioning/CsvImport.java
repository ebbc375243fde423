package io.switchboard.provisioning;

import io.switchboard.api.provisioning.ImportReport;
import io.switchboard.core.account.InvalidField;
import io.switchboard.core.account.UserRequests;
import io.switchboard.core.model.Device;
import io.switchboard.core.model.User;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * The checking half of the CSV import, pure: the file and what the store holds in, either a
 * {@link Plan} of users and devices to write or every bad row out. Users are checked by
 * {@link UserRequests} and devices by {@link DeviceRequests}, the very rules of the API; then for
 * duplicates within the file and against the store (usernames, extensions, MACs, endpoints).
 *
 * <p>The header row names the columns, in any order: {@code username} is required; the user columns
 * {@code displayName, extension, password, sipPassword, role} and the device columns
 * {@code kind, vendor, model, mac, endpoint} are optional. A row with a {@code kind} adds a device to
 * its user; a username on several rows is one user with several devices, described on its first row
 * (later rows repeat those columns or leave them empty).
 */
final class CsvImport {

  static final List<String> USER_COLUMNS = List.of("username", "displayName", "extension", "password",
      "sipPassword", "role");
  static final List<String> DEVICE_COLUMNS = List.of("kind", "vendor", "model", "mac", "endpoint");

  /** One bad row: its line in the file (the header is line 1), the column at fault (null: the row). */
  record Error(int line, String field, String message) {
    JsonObject toJson() {
      return new JsonObject().put("line", line).put("field", field).put("message", message);
    }
  }

  /** What to write, in order; or the errors, when there is any, and then nothing is written. */
  record Plan(int rows, List<UserRequests.Create> users, List<Device> devices, List<Error> errors) {
    /** @param withoutPassword users written without a web password */
    ImportReport report(List<String> withoutPassword) {
      boolean ok = errors.isEmpty();
      return new ImportReport(ok ? rows : 0, ok ? users.size() : 0, ok ? devices.size() : 0,
          errors.stream().map(e -> new ImportReport.RowError(e.line(), e.field(), e.message())).toList(),
          withoutPassword);
    }
  }

  /** A user's first row. */
  private record First(int line, JsonObject columns, UserRequests.Create user) {
  }

  /** A device row that passed its own checks, waiting for its endpoint. */
  private record PendingDevice(int line, String username, DeviceRequests.Fields fields) {
  }

  private final List<Error> errors = new ArrayList<>();
  private final Map<String, First> users = new LinkedHashMap<>();
  private final List<PendingDevice> pending = new ArrayList<>();
  private final Map<String, String> extensionOwner = new HashMap<>();
  private final Map<String, Integer> extensionLine = new HashMap<>();
  private final Map<String, String> macOwner = new HashMap<>();
  private final Map<String, Integer> macLine = new HashMap<>();
  private final Map<String, String> endpointOwner = new HashMap<>();
  private final Map<String, Integer> endpointLine = new HashMap<>();
  private final java.util.Set<String> existingUsernames = new java.util.HashSet<>();
  private int[] lineStarts;

  private CsvImport(List<User> existingUsers, List<Device> existingDevices) {
    for (User u : existingUsers) {
      existingUsernames.add(u.username());
      if (u.extension() != null) {
        extensionOwner.put(u.extension(), u.username());
      }
    }
    for (Device d : existingDevices) {
      if (d.mac() != null) {
        macOwner.put(d.mac(), d.username());
      }
      if (d.endpoint() != null) {
        endpointOwner.put(d.endpoint(), d.username());
      }
    }
  }

  /**
   * Checks a whole file.
   *
   * @throws Failure 413 beyond {@code maxRows} data rows
   */
  static Plan plan(String csv, int maxRows, List<User> existingUsers, List<Device> existingDevices) {
    return new CsvImport(existingUsers, existingDevices).check(csv, maxRows);
  }

  private Plan check(String csv, int maxRows) {
    String text = csv.startsWith("\uFEFF") ? csv.substring(1) : csv; // a spreadsheet's byte-order mark
    lineStarts = lineStarts(text);
    CSVFormat format = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).setTrim(true)
        .setIgnoreEmptyLines(true).get();
    int rows = 0;
    CSVParser parser = null;
    try {
      parser = CSVParser.parse(text, format);
      List<String> header = parser.getHeaderNames();
      if (!header(header)) {
        return new Plan(0, List.of(), List.of(), errors);
      }
      for (CSVRecord r : parser) {
        if (++rows > maxRows) {
          throw io.switchboard.api.BusFailure.tooLarge("csv", "at most " + maxRows + " rows per import; split the file");
        }
        row(r, header);
      }
    } catch (IllegalArgumentException e) { // the header: a name missing or twice
      errors.add(new Error(1, null, e.getMessage()));
    } catch (UncheckedIOException | IOException e) { // an unterminated quote, say
      errors.add(new Error(parser == null ? 1 : (int) parser.getCurrentLineNumber(), null,
          "not CSV: " + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage())));
    }
    List<Device> devices = devices();
    errors.sort(Comparator.comparingInt(Error::line));
    List<UserRequests.Create> creates = users.values().stream().map(First::user).toList();
    return new Plan(rows, creates, devices, List.copyOf(errors));
  }

  private boolean header(List<String> header) {
    boolean ok = true;
    for (String name : header) {
      if (!USER_COLUMNS.contains(name) && !DEVICE_COLUMNS.contains(name)) {
        errors.add(new Error(1, name, "unknown column; expected some of " + USER_COLUMNS + " and " + DEVICE_COLUMNS));
        ok = false;
      }
    }
    if (!header.contains("username")) {
      errors.add(new Error(1, "username", "the header row must name a username column"));
      ok = false;
    }
    return ok;
  }

  private void row(CSVRecord r, List<String> header) {
    int line = lineOf(r.getCharacterPosition());
    if (!r.isConsistent()) {
      errors.add(new Error(line, null, r.size() + " values for " + header.size() + " columns"));
      return;
    }
    JsonObject userColumns = columns(r, header, USER_COLUMNS);
    JsonObject deviceColumns = columns(r, header, DEVICE_COLUMNS);
    String username = userColumns.getString("username");
    if (username == null) {
      errors.add(new Error(line, "username", "required"));
      return;
    }
    First first = users.get(username);
    if (first == null) {
      firstRow(line, username, userColumns);
    } else {
      for (String column : userColumns.fieldNames()) {
        if (!userColumns.getValue(column).equals(first.columns().getValue(column))) {
          errors.add(new Error(line, column, "differs from line " + first.line() + ", where " + username
              + " is described; repeat it or leave it empty"));
        }
      }
    }
    if (!deviceColumns.isEmpty()) {
      device(line, username, deviceColumns);
    }
  }

  private void firstRow(int line, String username, JsonObject columns) {
    UserRequests.Create c;
    try {
      c = UserRequests.createImported(columns.copy());
    } catch (InvalidField e) {
      errors.add(new Error(line, e.field(), e.reason()));
      return;
    }
    users.put(username, new First(line, columns, c));
    if (existingUsernames.contains(username)) {
      errors.add(new Error(line, "username", username + " already exists"));
    }
    if (c.extension() != null) {
      unique(line, "extension", c.extension(), extensionOwner, extensionLine);
    }
  }

  private void device(int line, String username, JsonObject columns) {
    DeviceRequests.Fields f;
    try {
      f = DeviceRequests.check(columns, null);
    } catch (InvalidField e) {
      errors.add(new Error(line, e.field(), e.reason()));
      return;
    } catch (io.switchboard.api.BusFailure e) {
      errors.add(new Error(line, null, e.getMessage()));
      return;
    }
    if (f.mac() != null) {
      unique(line, "mac", f.mac(), macOwner, macLine);
    }
    pending.add(new PendingDevice(line, username, f));
  }

  /** The devices of users that passed, endpoints chosen as the API chooses them, then checked for duplicates. */
  private List<Device> devices() {
    Map<String, List<Device>> byUser = new HashMap<>();
    List<Device> out = new ArrayList<>();
    for (PendingDevice p : pending) {
      First first = users.get(p.username());
      if (first == null) {
        continue; // the user's own row is bad, and said so
      }
      UserRequests.Create c = first.user();
      User owner = new User(c.username(), c.displayName(), c.extension(), c.role(), c.enabled(), null, null, null, null);
      List<Device> mine = byUser.computeIfAbsent(p.username(), u -> new ArrayList<>());
      Device d = DeviceService.newDevice(owner, p.fields(), mine);
      if (d.endpoint() != null) {
        unique(p.line(), "endpoint", d.endpoint(), endpointOwner, endpointLine);
      }
      mine.add(d);
      out.add(d);
    }
    return out;
  }

  /** Records {@code value} as taken at {@code line}, or an error when the store or an earlier line has it. */
  private void unique(int line, String field, String value, Map<String, String> inStore, Map<String, Integer> inFile) {
    if (inStore.containsKey(value)) {
      errors.add(new Error(line, field, value + " is already taken (" + inStore.get(value) + ")"));
    } else if (inFile.containsKey(value)) {
      errors.add(new Error(line, field, value + " is also on line " + inFile.get(value)));
    } else {
      inFile.put(value, line);
    }
  }

  /** The row's non-empty values of {@code wanted} columns. */
  private static JsonObject columns(CSVRecord r, List<String> header, List<String> wanted) {
    JsonObject out = new JsonObject();
    for (String column : wanted) {
      if (header.contains(column)) {
        String v = r.get(column);
        if (v != null && !v.isEmpty()) {
          out.put(column, v);
        }
      }
    }
    return out;
  }

  private static int[] lineStarts(String text) {
    List<Integer> starts = new ArrayList<>();
    starts.add(0);
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) == '\n') {
        starts.add(i + 1);
      }
    }
    return starts.stream().mapToInt(Integer::intValue).toArray();
  }

  /** The 1-based line a character position is on. */
  private int lineOf(long position) {
    int i = java.util.Arrays.binarySearch(lineStarts, (int) position);
    return (i >= 0 ? i : -i - 2) + 1;
  }
}
