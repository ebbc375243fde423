package io.switchboard.provisioning;

import io.switchboard.core.account.UserAccounts;
import io.switchboard.core.bus.EventAddresses;
import io.switchboard.core.model.Device;
import io.switchboard.core.model.User;
import io.switchboard.core.store.DeviceStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The writing half of the CSV import ({@link EventAddresses#IMPORT}): checks the whole file first
 * ({@link CsvImport}); only when every row is good, creates the users through {@link UserAccounts}
 * (hashed secrets, {@code USER_CHANGED}, as the users API does) and then the devices through
 * {@link DeviceService} ({@code DEVICE_CHANGED}). When a write fails midway (the store went away, a
 * value taken meanwhile) what this import wrote is deleted again, devices first, so that nothing is
 * left half-imported. One import at a time.
 */
final class Importer {

  private static final Logger LOG = LoggerFactory.getLogger(Importer.class);
  /** Passwords hashed at once: PBKDF2 is slow on purpose, the workers are shared. */
  private static final int HASHING_AT_ONCE = 4;

  private io.vertx.core.eventbus.MessageConsumer<JsonObject> consumer;
  private final Vertx vertx;
  private final UserAccounts accounts;
  private final DeviceService deviceService;
  private final DeviceStore devices;
  private boolean running;

  Importer(Vertx vertx, UserAccounts accounts, DeviceService deviceService, DeviceStore devices) {
    this.vertx = vertx;
    this.accounts = accounts;
    this.deviceService = deviceService;
    this.devices = devices;
  }

  Future<Void> start() {
    consumer = vertx.eventBus().consumer(EventAddresses.IMPORT, this::request);
    return consumer.completion();
  }

  Future<Void> stop() {
    return consumer == null ? Future.succeededFuture() : consumer.unregister();
  }

  private void request(Message<JsonObject> msg) {
    String csv = msg.body() == null ? null : msg.body().getString("csv");
    Failure.answer(msg, run(csv));
  }

  /** The report: counts, or the errors and nothing imported. Fails with 409, 413 or a store failure. */
  Future<JsonObject> run(String csv) {
    if (csv == null || csv.isBlank()) {
      return Future.failedFuture(new Failure(400, "csv: a CSV body with a header row is required"));
    }
    if (csv.getBytes(StandardCharsets.UTF_8).length > EventAddresses.IMPORT_MAX_BYTES) {
      return Future.failedFuture(new Failure(413, "csv: at most " + EventAddresses.IMPORT_MAX_BYTES
          + " bytes per import; split the file"));
    }
    if (running) {
      return Future.failedFuture(new Failure(409, "csv: another import is running; try again when it is done"));
    }
    running = true;
    return Future.all(accounts.store().list(), devices.list())
        .compose(both -> vertx.executeBlocking(() -> CsvImport.plan(csv, EventAddresses.IMPORT_MAX_ROWS,
            both.<List<User>>resultAt(0), both.<List<Device>>resultAt(1)), false))
        .compose(plan -> {
          if (!plan.errors().isEmpty()) {
            LOG.info("CSV import refused [rows: {}, bad: {}, first at line: {}]", plan.rows(), plan.errors().size(),
                plan.errors().get(0).line());
            return Future.succeededFuture(plan.report());
          }
          return write(plan).map(v -> plan.report());
        })
        .onComplete(r -> running = false);
  }

  private Future<Void> write(CsvImport.Plan plan) {
    List<User> written = new ArrayList<>();
    List<Device> writtenDevices = new ArrayList<>();
    return inChunks(plan.users(), HASHING_AT_ONCE, accounts::prepare)
        .compose(prepared -> inOrder(prepared, u -> accounts.insert(u).onSuccess(written::add)))
        .compose(v -> inOrder(plan.devices(), d -> deviceService.insert(d).onSuccess(writtenDevices::add)))
        .onSuccess(v -> LOG.info("CSV import done [rows: {}, users: {}, devices: {}]", plan.rows(), written.size(),
            writtenDevices.size()))
        .recover(e -> {
          LOG.warn("CSV import failed midway, undoing it [users written: {}, devices written: {}, reason: {}]",
              written.size(), writtenDevices.size(), e.getMessage());
          return undo(written, writtenDevices).transform(x -> Future.failedFuture(e));
        });
  }

  /** Deletes what a failed import wrote, devices first; what cannot be deleted is logged. */
  private Future<Void> undo(List<User> users, List<Device> devicesWritten) {
    Future<Void> chain = Future.succeededFuture();
    for (Device d : devicesWritten) {
      chain = chain.compose(v -> deviceService.delete(d).recover(e -> {
        LOG.warn("CSV import: device not undone [{}, reason: {}]", d, e.getMessage());
        return Future.succeededFuture();
      }));
    }
    for (User u : users) {
      chain = chain.compose(v -> accounts.delete(u.username()).recover(e -> {
        LOG.warn("CSV import: user not undone [user: {}, reason: {}]", u.username(), e.getMessage());
        return Future.succeededFuture();
      }));
    }
    return chain;
  }

  /** {@code step} for each item, one after the other; stops at the first failure. */
  private static <T> Future<Void> inOrder(List<T> items, Function<T, Future<?>> step) {
    Future<Void> chain = Future.succeededFuture();
    for (T item : items) {
      chain = chain.compose(v -> step.apply(item).mapEmpty());
    }
    return chain;
  }

  /** {@code step} for up to {@code width} items at once, results in the items' order. */
  private static <T, R> Future<List<R>> inChunks(List<T> items, int width, Function<T, Future<R>> step) {
    List<R> out = new ArrayList<>();
    Future<Void> chain = Future.succeededFuture();
    for (int from = 0; from < items.size(); from += width) {
      List<T> chunk = items.subList(from, Math.min(items.size(), from + width));
      chain = chain.compose(v -> Future.all(chunk.stream().map(step).toList()).map(all -> {
        for (int i = 0; i < chunk.size(); i++) {
          out.add(all.resultAt(i));
        }
        return null;
      }));
    }
    return chain.map(v -> out);
  }
}
