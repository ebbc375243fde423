package io.switchboard.provisioning;

import io.switchboard.api.BusConsumers;
import io.switchboard.api.BusFailure;
import io.switchboard.api.EventAddresses;
import io.switchboard.api.provisioning.ImportReport;
import io.switchboard.api.provisioning.ImportRequest;
import io.switchboard.core.account.UserAccounts;
import io.switchboard.core.account.UserRequests;
import io.switchboard.core.model.Device;
import io.switchboard.core.model.User;
import io.switchboard.core.store.DeviceStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The writing half of the CSV import ({@link EventAddresses#IMPORT}): checks the whole file first
 * ({@link CsvImport}); only when every row is good, hashes the web passwords in parallel on the
 * hashing pool (no more at once than it has threads, so logins keep their turn), then writes the
 * users through {@link UserAccounts} ({@code USER_CHANGED}, as the users API does) and the devices
 * through {@link DeviceService} ({@code DEVICE_CHANGED}), {@link #WRITE_BATCH} per store call. Users
 * without a web password are listed in the report ({@code withoutPassword}): they need a set-password link. The PJSIP
 * file is written once, after the import ({@link PjsipWriter#holding}). When a write fails midway (the store went away, a
 * value taken meanwhile) what this import wrote is deleted again, devices first, so that nothing is
 * left half-imported. One import at a time.
 */
final class Importer {

  private static final Logger LOG = LoggerFactory.getLogger(Importer.class);
  /**
   * Users or devices per store write: one insertMany and one commit each, few enough that the store
   * pool and its commits stay free for SIP between batches.
   */
  static final int WRITE_BATCH = 250;

  private final BusConsumers consumers;
  private final Vertx vertx;
  private final UserAccounts accounts;
  private final DeviceService deviceService;
  private final DeviceStore devices;
  private final PjsipWriter pjsip;
  private boolean running;

  Importer(Vertx vertx, UserAccounts accounts, DeviceService deviceService, DeviceStore devices, PjsipWriter pjsip) {
    this.vertx = vertx;
    this.accounts = accounts;
    this.deviceService = deviceService;
    this.devices = devices;
    this.pjsip = pjsip;
    this.consumers = new BusConsumers(vertx);
  }

  Future<Void> start() {
    return consumers.answer(EventAddresses.IMPORT, ImportRequest::fromJson, this::request, Failure::translate);
  }

  Future<Void> stop() {
    return consumers.unregisterAll();
  }

  private Future<ImportReport> request(ImportRequest request) {
    if (!request.caller().isAdmin()) {
      return Future.failedFuture(BusFailure.administratorsOnly());
    }
    return run(request.csv());
  }

  /** The report: counts, or the errors and nothing imported. Fails with 409, 413 or a store failure. */
  Future<ImportReport> run(String csv) {
    if (csv == null || csv.isBlank()) {
      return Future.failedFuture(BusFailure.invalid("csv", "a CSV body with a header row is required"));
    }
    if (csv.getBytes(StandardCharsets.UTF_8).length > EventAddresses.IMPORT_MAX_BYTES) {
      return Future.failedFuture(BusFailure.tooLarge("csv", "at most " + EventAddresses.IMPORT_MAX_BYTES
          + " bytes per import; split the file"));
    }
    if (running) {
      return Future.failedFuture(BusFailure.conflict("csv", "another import is running; try again when it is done"));
    }
    running = true;
    return Future.all(accounts.store().list(), devices.list())
        .compose(both -> vertx.executeBlocking(() -> CsvImport.plan(csv, EventAddresses.IMPORT_MAX_ROWS,
            both.<List<User>>resultAt(0), both.<List<Device>>resultAt(1)), false))
        .compose(plan -> {
          if (!plan.errors().isEmpty()) {
            LOG.info("CSV import refused [rows: {}, bad: {}, first at line: {}]", plan.rows(), plan.errors().size(),
                plan.errors().get(0).line());
            return Future.succeededFuture(plan.report(List.of()));
          }
          // The PJSIP file once, after the whole import, instead of after each batch.
          return pjsip.holding(() -> write(plan)).map(v -> plan.report(withoutPassword(plan)));
        })
        .onComplete(r -> running = false);
  }

  private Future<Void> write(CsvImport.Plan plan) {
    List<User> written = new ArrayList<>();
    List<Device> writtenDevices = new ArrayList<>();
    // Hashing first, in parallel within the hashing pool's share; then the writes, a batch per store call.
    return accounts.prepareAll(plan.users())
        .compose(prepared -> inOrder(batches(prepared), batch -> accounts.insertAll(batch).onSuccess(v -> written.addAll(batch))))
        .compose(v -> inOrder(batches(plan.devices()),
            batch -> deviceService.insertAll(batch).onSuccess(x -> writtenDevices.addAll(batch))))
        .onSuccess(v -> LOG.info("CSV import done [rows: {}, users: {}, devices: {}]", plan.rows(), written.size(),
            writtenDevices.size()))
        .recover(e -> {
          LOG.warn("CSV import failed midway, undoing it [users written: {}, devices written: {}, reason: {}]",
              written.size(), writtenDevices.size(), e.getMessage());
          return undo(written, writtenDevices).transform(x -> Future.failedFuture(e));
        });
  }

  /** The users who were imported without a web password: each needs a set-password link. */
  static List<String> withoutPassword(CsvImport.Plan plan) {
    return plan.users().stream().filter(c -> c.password() == null).map(UserRequests.Create::username).toList();
  }

  private static <T> List<List<T>> batches(List<T> items) {
    List<List<T>> out = new ArrayList<>();
    for (int from = 0; from < items.size(); from += WRITE_BATCH) {
      out.add(items.subList(from, Math.min(items.size(), from + WRITE_BATCH)));
    }
    return out;
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
}
