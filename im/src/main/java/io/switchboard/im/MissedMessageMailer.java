package io.switchboard.im;

import io.switchboard.api.BusConsumers;
import io.switchboard.api.ConsolePresence;
import io.switchboard.api.EventAddresses;
import io.switchboard.core.config.SwitchboardConfig;
import io.switchboard.core.sip.LocationService;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.ext.mail.LoginOption;
import io.vertx.ext.mail.MailClient;
import io.vertx.ext.mail.MailConfig;
import io.vertx.ext.mail.MailMessage;
import io.vertx.ext.mail.StartTLSOptions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * E-mail for missed messages. Every tick, for each user who gave an address: their stored messages are
 * read; when one stored since the last mail has waited {@code notify.email.after}, the user is neither
 * registered nor in a console, and the last mail is {@code notify.email.interval} old, one mail
 * summarising everything waiting goes out ({@link MissedMessageMail}).
 *
 * <p>Nothing lives only in memory but who has a console open: when a message was stored and when the
 * user was last mailed are both in the store, so a restart picks up where it left off. In a cluster every
 * node scans; the mail is claimed in the store first ({@link MongoEmailSettings#claim}, atomic there), so
 * one node sends it. Each decision is logged at debug (a mail sent at info) and handed to listeners.
 */
final class MissedMessageMailer {

  private static final Logger LOG = LoggerFactory.getLogger(MissedMessageMailer.class);
  /** How long a claim holds a user's mail for this node: well above an SMTP exchange's timeouts. */
  static final Duration LEASE = Duration.ofMinutes(5);

  /**
   * What a scan decided for one user with stored messages. NOTHING_DUE: none stored since the last mail has
   * waited {@code notify.email.after} yet; TOO_SOON: one has, but the last mail is within the interval.
   */
  enum Outcome { SENT, OPTED_OUT, ONLINE, NOTHING_DUE, TOO_SOON, CLAIMED_ELSEWHERE, FAILED }

  record Decision(String username, Outcome outcome, int waiting) {
  }

  private final Vertx vertx;
  private final SwitchboardConfig.Email config;
  private final MongoEmailSettings settings;
  private final MessageStore messages;
  private final LocationService location;
  private final Clock clock;
  private final MailClient mail;
  private final String node;
  private final BusConsumers consumers;
  private final Set<String> consolesOpen = ConcurrentHashMap.newKeySet();
  private final List<Consumer<Decision>> listeners = new CopyOnWriteArrayList<>();
  private final List<Runnable> scanListeners = new CopyOnWriteArrayList<>();
  private long timer = -1;
  private boolean scanning;

  MissedMessageMailer(Vertx vertx, SwitchboardConfig.Email config, MongoEmailSettings settings, MessageStore messages,
      LocationService location, Clock clock) {
    this.vertx = vertx;
    this.config = config;
    this.settings = settings;
    this.messages = messages;
    this.location = location;
    this.clock = clock;
    this.mail = config.enabled() ? MailClient.create(vertx, mailConfig(config)) : null;
    this.node = io.switchboard.core.ha.NodeIdentity.of(vertx);
    this.consumers = new BusConsumers(vertx);
  }

  static MailConfig mailConfig(SwitchboardConfig.Email config) {
    MailConfig mc = new MailConfig()
        .setHostname(config.smtpHost().orElseThrow())
        .setPort(config.smtpPort())
        .setStarttls(switch (config.starttls()) {
          case "disabled" -> StartTLSOptions.DISABLED;
          case "optional" -> StartTLSOptions.OPTIONAL;
          default -> StartTLSOptions.REQUIRED;
        })
        .setKeepAlive(false);
    if (config.username().isEmpty()) {
      mc.setLogin(LoginOption.DISABLED);
    } else {
      mc.setLogin(LoginOption.REQUIRED).setUsername(config.username()).setPassword(config.password());
    }
    config.caFile().ifPresent(ca -> mc.setTrustOptions(new PemTrustOptions().addCertPath(ca.toString())));
    return mc;
  }

  void onDecision(Consumer<Decision> listener) {
    listeners.add(listener);
  }

  /** Called after each scan, once every user was considered. */
  void onScanDone(Runnable listener) {
    scanListeners.add(listener);
  }

  /** Follows consoles opening and closing; scans only when SMTP is configured. */
  Future<Void> start() {
    return consumers.<JsonObject>consumer(EventAddresses.CONSOLE_PRESENCE, msg -> {
      ConsolePresence console = ConsolePresence.fromJson(msg.body());
      if (console.online()) {
        consolesOpen.add(console.username());
      } else {
        consolesOpen.remove(console.username());
      }
    }).onSuccess(v -> {
      if (mail != null) {
        timer = vertx.setPeriodic(tick().toMillis(), id -> scan());
        LOG.info("E-mail for missed messages on [smtp: {}:{}, after: {} s, interval: {} s]", config.smtpHost().get(),
            config.smtpPort(), config.afterSeconds(), config.intervalSeconds());
      }
    });
  }

  /** A third of the shorter of the two periods, between 1 s and 60 s. */
  Duration tick() {
    long seconds = Math.max(1, Math.min(60, Math.min(config.afterSeconds(), config.intervalSeconds()) / 3));
    return Duration.ofSeconds(seconds);
  }

  Future<Void> stop() {
    vertx.cancelTimer(timer);
    return consumers.unregisterAll().eventually(() -> mail == null ? Future.succeededFuture() : mail.close());
  }

  /** One scan at a time; users one after the other (a few per tick, and the store stays free for messages). */
  void scan() {
    if (scanning) {
      return;
    }
    scanning = true;
    settings.withAddress().compose(users -> each(users, 0))
        .onComplete(r -> {
          scanning = false;
          if (r.failed()) {
            LOG.warn("Missed-message scan failed: {}", r.cause().getMessage());
          }
          scanListeners.forEach(Runnable::run);
        });
  }

  private Future<Void> each(List<EmailSettings> users, int index) {
    if (index >= users.size()) {
      return Future.succeededFuture();
    }
    EmailSettings user = users.get(index);
    return consider(user).otherwise(e -> {
      LOG.warn("Missed-message mail failed [user: {}]: {}", user.username(), e.getMessage());
      decided(user.username(), Outcome.FAILED, 0);
      return null;
    }).compose(v -> each(users, index + 1));
  }

  private Future<Void> consider(EmailSettings user) {
    return messages.storedFor(user.username()).compose(waiting -> {
      if (waiting.isEmpty()) {
        return Future.succeededFuture();
      }
      Instant now = clock.instant();
      Instant dueBy = now.minusSeconds(config.afterSeconds());
      boolean due = waiting.stream().anyMatch(m -> !m.createdAt().isAfter(dueBy)
          && (user.lastEmailedAt() == null || m.createdAt().isAfter(user.lastEmailedAt())));
      Outcome outcome = !user.wantsMail() ? Outcome.OPTED_OUT
          : !due ? Outcome.NOTHING_DUE
          : online(user.username()) ? Outcome.ONLINE
          : user.lastEmailedAt() != null && now.isBefore(user.lastEmailedAt().plusSeconds(config.intervalSeconds())) ? Outcome.TOO_SOON
          : null;
      if (outcome != null) {
        decided(user.username(), outcome, waiting.size());
        return Future.succeededFuture();
      }
      return settings.claim(user.username(), user.lastEmailedAt(), node, now, now.plus(LEASE)).compose(claimed -> {
        if (!claimed) {
          decided(user.username(), Outcome.CLAIMED_ELSEWHERE, waiting.size());
          return Future.succeededFuture();
        }
        return send(user, waiting).transform(r -> {
          if (r.failed()) {
            return settings.release(user.username(), node).eventually(() -> Future.failedFuture(r.cause()));
          }
          return settings.mailed(user.username(), node, now).onSuccess(x -> {
            LOG.info("Missed messages mailed [user: {}, messages: {}]", user.username(), waiting.size());
            decided(user.username(), Outcome.SENT, waiting.size());
          });
        });
      });
    });
  }

  private boolean online(String username) {
    return consolesOpen.contains(username) || !location.bindings(username).isEmpty();
  }

  private Future<Void> send(EmailSettings user, List<StoredMessage> waiting) {
    MissedMessageMail content = MissedMessageMail.of(waiting, new HashSet<>(user.mutedRooms()), config.consoleUrl());
    MailMessage message = new MailMessage()
        .setFrom(config.from())
        .setTo(user.email())
        .setSubject(content.subject())
        .setText(content.text());
    return mail.sendMail(message).mapEmpty();
  }

  private void decided(String username, Outcome outcome, int waiting) {
    LOG.debug("Missed-message mail decided [user: {}, outcome: {}, waiting: {}]", username, outcome, waiting);
    Decision decision = new Decision(username, outcome, waiting);
    listeners.forEach(l -> l.accept(decision));
  }
}
