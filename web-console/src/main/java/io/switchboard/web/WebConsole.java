package io.switchboard.web;

import io.switchboard.api.sip.BindingsQuery;
import io.switchboard.api.telephony.Originate;
import io.switchboard.core.account.PasswordLinks;
import io.switchboard.core.account.UserAccounts;

import io.switchboard.api.EventAddresses;
import io.switchboard.api.SecurityEvent;
import io.switchboard.core.config.SwitchboardConfig;
import io.switchboard.core.ha.SharedFailures;
import io.switchboard.core.health.Health;
import io.switchboard.core.http.HttpsListener;
import io.switchboard.core.metrics.Metrics;
import io.switchboard.core.metrics.MetricsHistory;
import io.switchboard.core.model.Role;
import io.switchboard.core.model.User;
import io.switchboard.core.security.SecurityLog;
import io.switchboard.core.store.ApiTokenStore;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.Session;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.HSTSHandler;
import io.vertx.ext.web.handler.SessionHandler;
import io.vertx.ext.web.sstore.ClusteredSessionStore;
import io.vertx.ext.web.sstore.LocalSessionStore;
import io.vertx.ext.web.sstore.SessionStore;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The web console's HTTP side: JSON API under {@code /api}, cookie sessions, roles. It reaches the
 * feature modules over the event bus only (addresses in uc-core), never through their classes.
 *
 * <p>With TLS configured the port speaks HTTPS only (a clear-text request fails the handshake and
 * gets no answer), every response carries {@code Strict-Transport-Security} and the session cookie
 * is {@code Secure}. No request body is read before its session was checked (but for the login's),
 * none is larger than its route allows, and none is ever written to disk.
 */
public final class WebConsole extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(WebConsole.class);
  static final String SESSION_USER = "username";
  /** Where the authenticated {@link User} is put for the handlers after {@link #authenticated()}. */
  public static final String CTX_USER = "switchboard.user";
  /** The login's body: a username and a password. */
  static final long LOGIN_BODY_LIMIT = 4 * 1024;
  /** Every other API body but the CSV import's. */
  static final long API_BODY_LIMIT = 256 * 1024;
  /** Answered without a session; the live channel checks its own before the upgrade. */
  private static final Set<String> PUBLIC = Set.of("/api/health", "/api/login", "/api/logout", "/api/live");
  /** Paths under which the token in the path is the credential (a set-password link): no session needed. */
  private static final String PASSWORD_RESET = "/api/password-reset/";
  private static final String BEARER = "Bearer ";

  private final SwitchboardConfig.Web config;
  private final Health health;
  private final UserAccounts accounts;
  private final Clock clock;
  private final LoginThrottle throttle;
  /** The throttle's failures shared with the other nodes of a cluster. */
  private SharedFailures loginFailures;
  /** Set-password links; null: not offered (tests of other parts). */
  private final PasswordLinks passwordLinks;
  /** Link guessing counted apart from logins, so that neither locks the other out. */
  private final LoginThrottle linkThrottle;
  /** Personal API tokens; null: not offered (tests of other parts), a bearer is refused. */
  private final ApiTokenStore tokenStore;
  private ApiTokens tokens;
  private final SecurityEvents securityEvents = new SecurityEvents();
  private SecurityLog security;
  private final HttpsListener https;
  private static final SwitchboardConfig.Tls NO_TLS =
      new SwitchboardConfig.Tls(java.util.Optional.empty(), java.util.Optional.empty(), 0);
  private HttpServer server;
  private LiveChannel live;
  private SessionHandler sessionHandler;
  private final Metrics metrics;
  /** Archives of the store for GET /api/backup; null: not offered. */
  private io.switchboard.core.backup.Backups backups;
  /** The API's description when its reading began before this console was made; else it is read at start. */
  private Future<ApiContract> contract;
  /** Files in chats; null: not offered. */
  private io.switchboard.core.files.FileStore files;
  private long maxFileSize = 25L * 1024 * 1024;
  private Router router;

  /** Plain HTTP. */
  public WebConsole(SwitchboardConfig.Web config, Health health, UserAccounts accounts) {
    this(config, NO_TLS, health, accounts, null, null, Clock.systemUTC());
  }

  /** HTTPS only when {@code tls} has a certificate; no set-password links. */
  public WebConsole(SwitchboardConfig.Web config, SwitchboardConfig.Tls tls, Health health, UserAccounts accounts) {
    this(config, tls, health, accounts, null, null, Clock.systemUTC());
  }

  /**
   * HTTPS only when {@code tls} has a certificate.
   *
   * @param passwordLinks the set-password links ({@code /api/users/{u}/password-link}, {@code /api/password-reset/{token}})
   */
  public WebConsole(SwitchboardConfig.Web config, SwitchboardConfig.Tls tls, Health health, UserAccounts accounts,
      PasswordLinks passwordLinks) {
    this(config, tls, health, accounts, passwordLinks, null, Clock.systemUTC());
  }

  /**
   * HTTPS only when {@code tls} has a certificate.
   *
   * @param passwordLinks the set-password links ({@code /api/users/{u}/password-link}, {@code /api/password-reset/{token}})
   * @param tokens personal API tokens ({@code /api/tokens}, {@code Authorization: Bearer})
   */
  public WebConsole(SwitchboardConfig.Web config, SwitchboardConfig.Tls tls, Health health, UserAccounts accounts,
      PasswordLinks passwordLinks, ApiTokenStore tokens) {
    this(config, tls, health, accounts, passwordLinks, tokens, Clock.systemUTC());
  }

  /**
   * HTTPS only when {@code tls} has a certificate.
   *
   * @param passwordLinks the set-password links ({@code /api/users/{u}/password-link}, {@code /api/password-reset/{token}})
   * @param tokens personal API tokens ({@code /api/tokens}, {@code Authorization: Bearer})
   * @param metrics served at {@code /metrics}, charted on the status page, and told of failed and throttled logins
   */
  public WebConsole(SwitchboardConfig.Web config, SwitchboardConfig.Tls tls, Health health, UserAccounts accounts,
      PasswordLinks passwordLinks, ApiTokenStore tokens, Metrics metrics) {
    this(config, tls, health, accounts, passwordLinks, tokens, Clock.systemUTC(), metrics);
  }

  /** @param clock for the login throttle's window and the security events' times */
  WebConsole(SwitchboardConfig.Web config, Health health, UserAccounts accounts, Clock clock) {
    this(config, NO_TLS, health, accounts, null, null, clock);
  }

  WebConsole(SwitchboardConfig.Web config, Health health, UserAccounts accounts, PasswordLinks passwordLinks,
      Clock clock) {
    this(config, NO_TLS, health, accounts, passwordLinks, null, clock);
  }

  WebConsole(SwitchboardConfig.Web config, SwitchboardConfig.Tls tls, Health health, UserAccounts accounts,
      PasswordLinks passwordLinks, ApiTokenStore tokenStore, Clock clock) {
    this(config, tls, health, accounts, passwordLinks, tokenStore, clock, new Metrics());
  }

  private WebConsole(SwitchboardConfig.Web config, SwitchboardConfig.Tls tls, Health health, UserAccounts accounts,
      PasswordLinks passwordLinks, ApiTokenStore tokenStore, Clock clock, Metrics metrics) {
    this.metrics = metrics;
    this.config = config;
    this.health = health;
    this.accounts = accounts;
    this.clock = clock;
    this.https = new HttpsListener(tls);
    this.passwordLinks = passwordLinks;
    this.tokenStore = tokenStore;
    this.throttle = new LoginThrottle(clock, config.loginMaxFailures(), config.loginWindowSeconds());
    this.linkThrottle = new LoginThrottle(clock, config.loginMaxFailures(), config.loginWindowSeconds());
  }

  /**
   * Offers files in chats ({@code POST /api/messages/files}, {@code GET /f/<id>}), kept in {@code files}, each at
   * most {@code maxFileSize} bytes. Before deploying; without it uploads are answered 503.
   */
  public WebConsole withFiles(io.switchboard.core.files.FileStore files, long maxFileSize) {
    this.files = files;
    this.maxFileSize = maxFileSize;
    return this;
  }

  /**
   * The API's description from {@link ApiContract#load}, begun earlier (while the store opens: reading and
   * checking it is about a second of a cold start). Before deploying.
   */
  public WebConsole withContract(Future<ApiContract> contract) {
    this.contract = contract;
    return this;
  }

  /** Offers {@code GET /api/backup} (administrators), streaming archives of {@code backups}. Before deploying. */
  public WebConsole withBackups(io.switchboard.core.backup.Backups backups) {
    this.backups = backups;
    return this;
  }

  /** The port actually bound (differs from the configured one when that is 0). */
  public int actualPort() {
    return server.actualPort();
  }

  /** The routes, once started: the OpenAPI document is checked against them. */
  Router router() {
    return router;
  }

  /** Where the console is, with its scheme: {@code https://0.0.0.0:8080}. */
  public String url() {
    return https.url(config.bindAddress(), actualPort());
  }

  @Override
  public Future<?> start() {
    // The API's description first: it says who may call what, and what a valid request is.
    return (contract != null ? contract : ApiContract.load(vertx)).compose(this::start);
  }

  private Future<?> start(ApiContract contract) {
    security = new SecurityLog(vertx, clock);
    tokens = tokenStore == null ? null : new ApiTokens(tokenStore, accounts.store(), clock);
    Router router = Router.router(vertx);
    this.router = router;
    // Clustered: sessions in the cluster's shared map, so that a browser signed in through one node is
    // signed in on every node (and its live channel may open anywhere).
    SessionStore sessions = vertx.isClustered() ? ClusteredSessionStore.create(vertx) : LocalSessionStore.create(vertx);
    live = new LiveChannel(vertx, sessions, new MetricsHistory(metrics));
    if (https.enabled()) {
      // Browsers that once saw the console over HTTPS never try clear text again (a year).
      router.route().handler(HSTSHandler.create(365L * 24 * 3600, false));
    }
    // An API request waits, paused, for its session before its body is read (BodyHandler resumes
    // it), so that an anonymous one is refused unread; the live channel's upgrade waits likewise for
    // the account look-up (LiveChannel.upgrade).
    router.route("/api/*").handler(ctx -> {
      ctx.request().pause();
      ctx.next();
    });
    sessionHandler = SessionHandler.create(sessions)
        .setSessionCookieName("switchboard.session")
        .setCookieHttpOnlyFlag(true)
        .setCookieSecureFlag(https.enabled())
        .setCookieSameSite(CookieSameSite.STRICT)
        .setSessionTimeout(config.sessionTimeoutMinutes() * 60_000L);
    // A script with a token gets no session: nothing to keep for it, no cookie to send back.
    router.route("/api/*").handler(ctx -> {
      if (bearerSecret(ctx) != null) {
        ctx.next();
      } else if (vertx.isClustered() && "/api/live".equals(ctx.request().path())) {
        liveSession(ctx, sessions);
      } else {
        sessionHandler.handle(ctx);
      }
    });
    router.route("/api/*").handler(WebConsole::requireJsonBody);
    // A request that may carry a body needs a signed-in session first. Synchronous, so that nothing
    // is lost between the session handler's resume and the body handler; the account itself is
    // checked after the body by authenticated(), as for every request.
    router.route("/api/*").handler(ctx -> {
      HttpMethod m = ctx.request().method();
      String path = ctx.request().path();
      String secret = bearerSecret(ctx);
      if (secret != null) {
        bearer(ctx, secret);
      } else if (m == HttpMethod.GET || m == HttpMethod.HEAD || PUBLIC.contains(path) || path.startsWith(PASSWORD_RESET)
          || (ctx.session() != null && ctx.session().get(SESSION_USER) != null)) {
        ctx.next();
      } else {
        ctx.fail(new ApiException(401, "unauthorized", null, "log in first"));
      }
    });
    // Bodies in memory only (no file uploads: a multipart body is refused above as not JSON), each
    // route with its own limit; the first body handler a request meets reads it.
    router.post("/api/login").handler(body(LOGIN_BODY_LIMIT));
    router.post(PASSWORD_RESET + "*").handler(body(LOGIN_BODY_LIMIT));
    router.post("/api/import").handler(body(EventAddresses.IMPORT_MAX_BYTES));
    // A file upload goes to a temporary file, at most the file limit (413 naming the field as soon as it is passed).
    FilesApi filesApi = new FilesApi(files, accounts, vertx.eventBus(), maxFileSize, SESSION_USER);
    router.post(FilesApi.UPLOAD_PATH).handler(filesApi.bodyHandler(
        java.nio.file.Path.of(System.getProperty("java.io.tmpdir"), "switchboard-uploads")));
    router.post(FilesApi.UPLOAD_PATH).failureHandler(filesApi::tooLarge);
    router.route("/api/*").handler(body(API_BODY_LIMIT));
    router.route("/api/*").handler(RequestBodies::wellFormed);
    // What the document says: who may call the operation, then whether the request is a valid one.
    router.route("/api/*").handler(ctx -> authorize(ctx, contract));
    router.route("/api/*").handler(contract.validator());
    router.get("/api/openapi.json").handler(contract::serve);

    router.get("/api/health").handler(ctx -> {
      JsonObject body = health.toJson();
      ctx.response().setStatusCode(health.healthy() ? 200 : 503);
      ctx.json(body);
    });
    router.post("/api/login").handler(this::login);
    router.post("/api/logout").handler(ctx -> {
      if (ctx.session() != null) {
        live.sessionEnded(ctx.session().id());
        ctx.session().destroy();
      }
      ctx.response().setStatusCode(204).end();
    });
    EmailSettingsApi emailSettings = new EmailSettingsApi(vertx.eventBus());
    router.get("/api/me").handler(authenticated()).handler(emailSettings::me);
    router.get("/api/me/voicemail").handler(authenticated()).handler(ctx -> BusRequests.forward(ctx, vertx.eventBus(),
        EventAddresses.VOICEMAIL_GET, new io.switchboard.api.telephony.VoicemailQuery(BusRequests.caller(ctx)), 200));
    router.patch("/api/me").handler(authenticated()).handler(emailSettings::patchMe);
    router.get("/api/live").handler(authenticated()).handler(ctx -> {
      if (ctx.session() == null) {
        ctx.fail(new ApiException(401, "unauthorized", null, "the live channel is for the console's session, not for tokens"));
      } else {
        live.upgrade(ctx);
      }
    });
    if (tokens != null) {
      TokensApi tokensApi = new TokensApi(tokens);
      router.post("/api/tokens").handler(authenticated()).handler(tokensApi::create);
      router.get("/api/tokens").handler(authenticated()).handler(tokensApi::list);
      router.delete("/api/tokens/:id").handler(authenticated()).handler(tokensApi::revoke);
    }

    // Administrators' changes (users, devices, import) become ADMIN_CHANGE security events once answered.
    AdminAudit audit = new AdminAudit(security);
    router.route("/api/users*").handler(audit::watch);
    router.route("/api/devices*").handler(audit::watch);
    router.route("/api/import").handler(audit::watch);
    router.get("/api/security/events").handler(authenticated()).handler(admin()).handler(securityEvents::list);
    if (backups != null) {
      router.get("/api/backup").handler(authenticated()).handler(admin()).handler(new BackupApi(backups, security)::download);
    }
    LogLevelsApi logLevels = new LogLevelsApi(vertx.eventBus());
    router.route(LogLevelsApi.PATH).handler(authenticated()).handler(admin()).handler(audit::watch);
    router.get(LogLevelsApi.PATH).handler(logLevels::get);
    router.put(LogLevelsApi.PATH).handler(logLevels::put);

    UsersApi users = new UsersApi(accounts, emailSettings);
    router.route("/api/users*").handler(authenticated()).handler(admin());
    router.post("/api/users").handler(users::create);
    router.get("/api/users").handler(users::list);
    router.get("/api/users/:username").handler(users::get);
    router.patch("/api/users/:username").handler(users::patch);
    router.delete("/api/users/:username").handler(users::delete);
    if (passwordLinks != null) {
      PasswordLinksApi links = new PasswordLinksApi(passwordLinks, linkThrottle, security);
      router.post("/api/users/:username/password-link").handler(links::issue);
      router.get(PASSWORD_RESET + ":token").handler(links::check);
      router.post(PASSWORD_RESET + ":token").handler(links::redeem);
    }

    // Provisioning (answered over the bus): devices of users, CSV import. /api/users* is admin-only above.
    DevicesApi devices = new DevicesApi(vertx.eventBus());
    router.get("/api/users/:username/devices").handler(devices::list);
    router.post("/api/users/:username/devices").handler(devices::create);
    router.route("/api/devices*").handler(authenticated()).handler(admin());
    router.get("/api/devices/:id").handler(devices::get);
    router.patch("/api/devices/:id").handler(devices::patch);
    router.delete("/api/devices/:id").handler(devices::delete);
    router.post("/api/import").handler(authenticated()).handler(admin()).handler(devices::importCsv);
    // Who is registered now (the location service): one user's bindings, or everybody's.
    router.get("/api/users/:username/registrations").handler(ctx -> accounts.store().find(ctx.pathParam("username"))
        .onComplete(found -> {
          if (found.failed()) {
            ctx.fail(found.cause());
          } else if (found.result().isEmpty()) {
            ctx.fail(ApiException.notFound("no such user: " + ctx.pathParam("username")));
          } else {
            BusRequests.forward(ctx, vertx.eventBus(), io.switchboard.api.EventAddresses.SIP_BINDINGS,
                new BindingsQuery(BusRequests.caller(ctx), found.result().get().username()), 200);
          }
        }));
    router.get("/api/registrations").handler(authenticated()).handler(admin()).handler(ctx -> BusRequests.forward(ctx,
        vertx.eventBus(), io.switchboard.api.EventAddresses.SIP_BINDINGS, new BindingsQuery(BusRequests.caller(ctx), null),
        200));

    MessagesApi messages = new MessagesApi(vertx.eventBus());
    router.post("/api/messages").handler(authenticated()).handler(messages::send);
    router.get("/api/messages").handler(authenticated()).handler(messages::history);
    router.get("/api/messages/search").handler(authenticated()).handler(messages::search);
    router.get("/api/conversations").handler(authenticated()).handler(messages::conversations);
    router.post("/api/messages/:id/seen").handler(authenticated()).handler(messages::seen);
    router.post(FilesApi.UPLOAD_PATH).handler(authenticated()).handler(filesApi::upload);
    // Outside /api: a phone follows the link with its token and no session; a browser brings its session.
    router.get(FilesApi.DOWNLOAD_PATH).handler(sessionHandler).handler(filesApi::download);
    RoomsApi rooms = new RoomsApi(vertx.eventBus());
    router.post("/api/rooms").handler(authenticated()).handler(rooms::create);
    router.get("/api/rooms").handler(authenticated()).handler(rooms::list);
    router.delete("/api/rooms/:name").handler(authenticated()).handler(rooms::delete);
    router.get("/api/rooms/:name").handler(authenticated()).handler(rooms::get);
    router.post("/api/rooms/:name/call").handler(authenticated()).handler(rooms::call);
    router.post("/api/rooms/:name/messages").handler(authenticated()).handler(messages::sendToRoom);
    BroadcastsApi broadcasts = new BroadcastsApi(vertx.eventBus());
    router.post("/api/broadcasts").handler(authenticated()).handler(broadcasts::send);
    router.get("/api/broadcasts").handler(authenticated()).handler(broadcasts::list);
    router.delete("/api/broadcasts/:id").handler(authenticated()).handler(broadcasts::withdraw);
    router.post("/api/broadcasts/:id/dismiss").handler(authenticated()).handler(broadcasts::dismiss);
    PresenceApi presence = new PresenceApi(vertx.eventBus());
    router.get("/api/buddies").handler(authenticated()).handler(presence::buddies);
    router.post("/api/buddies").handler(authenticated()).handler(presence::addBuddy);
    router.delete("/api/buddies/:username").handler(authenticated()).handler(presence::removeBuddy);
    // Fixed paths before /api/presence/:user, which would otherwise take them.
    router.put("/api/presence/me").handler(authenticated()).handler(presence::setMine);
    router.get("/api/presence/rules").handler(authenticated()).handler(presence::rules);
    router.put("/api/presence/rules").handler(authenticated()).handler(presence::putRules);
    router.get("/api/presence/pending").handler(authenticated()).handler(presence::pending);
    router.get("/api/presence/:user").handler(authenticated()).handler(presence::get);
    // Click-to-call: Asterisk rings the user's own phone, then the target (answered by telephony).
    router.post("/api/calls").handler(authenticated()).handler(ctx -> {
      JsonObject body = RequestBodies.object(ctx.body().asJsonObject(), java.util.Set.of("to", "device"));
      if (!(body.getValue("to") instanceof String to) || to.isBlank()) {
        throw ApiException.invalid("to", "required: a username, an extension or a number");
      }
      if (body.containsKey("device") && !(body.getValue("device") instanceof String)) {
        throw ApiException.invalid("device", "the id of one of your phones, or leave it out for your primary phone");
      }
      BusRequests.forward(ctx, vertx.eventBus(), io.switchboard.api.EventAddresses.CALL_ORIGINATE,
          new Originate(BusRequests.caller(ctx), to, body.getString("device")), 202);
    });

    // Prometheus: a scraper's bearer token (metrics.token), else an administrator's session.
    MetricsEndpoint metricsEndpoint = new MetricsEndpoint(vertx, metrics, config.metricsToken(), security);
    router.get("/metrics").handler(metricsEndpoint::bearer);
    router.get("/metrics").handler(sessionHandler).handler(authenticated()).handler(admin())
        .handler(metricsEndpoint::serve);

    router.route("/api/*").handler(ctx -> ctx.fail(new ApiException(404, "not-found", null,
        "no such API: " + ctx.request().method() + " " + ctx.request().path())));
    ConsolePages.mount(router);
    ApiFailureHandler failures = new ApiFailureHandler();
    router.route().failureHandler(failures);
    // What the router rejects before any route (a path that does not decode: 400) gets the same JSON.
    for (int status : new int[] {400, 404, 405, 413, 500}) {
      router.errorHandler(status, failures.forStatus(status));
    }

    vertx.setPeriodic(60_000, id -> {
      throttle.sweep();
      linkThrottle.sweep();
    });
    // Failed logins count on every node: another node's are added to this one's throttle.
    loginFailures = new SharedFailures(vertx, "login");
    return live.start().compose(v -> loginFailures.start(keys -> throttle.failedElsewhere(keys.getString("username"),
            keys.getString("address"))))
        .compose(v -> securityEvents.start(vertx)).compose(v -> vertx.createHttpServer(https.serverOptions()).requestHandler(router)
        .listen(config.port(), config.bindAddress()))
        .compose(s -> https.followReloads(vertx, s, "web").map(s))
        .onSuccess(s -> {
          server = s;
          health.report("web", io.switchboard.core.health.Health.State.UP, new JsonObject().put("url", url()));
          LOG.info("Web console listening [url: {}]", url());
        });
  }

  @Override
  public Future<?> stop() {
    return securityEvents.stop().eventually(() -> live == null ? Future.succeededFuture() : live.stop())
        .eventually(() -> loginFailures == null ? Future.succeededFuture() : loginFailures.stop());
  }

  /** The user a request was authenticated as. */
  public static User user(RoutingContext ctx) {
    return ctx.get(CTX_USER);
  }

  /**
   * Requires a session of an existing, enabled user, re-read on every request so that disabling or
   * deleting an account ends its sessions at once.
   */
  Handler<RoutingContext> authenticated() {
    return ctx -> authenticate(ctx, RoutingContext::next);
  }

  /** Finds the request's user (a token's, or the session's) and goes on with {@code then}, or fails 401. */
  private void authenticate(RoutingContext ctx, Handler<RoutingContext> then) {
    if (user(ctx) != null) {
      then.handle(ctx); // by a token, or authenticated already
      return;
    }
    Session session = ctx.session();
    String username = session == null ? null : session.get(SESSION_USER);
    if (username == null) {
      ctx.fail(new ApiException(401, "unauthorized", null, "log in first"));
      return;
    }
    accounts.store().find(username).onComplete(found -> {
      if (found.failed()) {
        ctx.fail(found.cause());
      } else if (found.result().isEmpty() || !found.result().get().enabled()) {
        session.destroy();
        ctx.fail(new ApiException(401, "unauthorized", null, "the session has ended; log in again"));
      } else {
        ctx.put(CTX_USER, found.result().get());
        then.handle(ctx);
      }
    });
  }

  /**
   * The live channel's session from the clustered store, with the request left paused. The session
   * handler resumes the request once its look-up is done: with the cluster's (asynchronous) store that
   * is after the request's end has arrived, which the resume then reads, and an ended request can no
   * longer become a WebSocket. The socket keeps its session alive itself ({@link LiveChannel}).
   */
  private void liveSession(RoutingContext ctx, SessionStore sessions) {
    io.vertx.core.http.Cookie cookie = ctx.request().getCookie("switchboard.session");
    if (cookie == null) {
      ctx.next(); // no session: authenticated() refuses it
      return;
    }
    sessions.get(cookie.getValue()).onComplete(found -> {
      if (found.succeeded() && found.result() != null) {
        ((io.vertx.ext.web.impl.RoutingContextInternal) ctx).setSession(found.result());
      }
      ctx.next();
    });
  }

  /** The secret of an {@code Authorization: Bearer} header, or null. */
  private static String bearerSecret(RoutingContext ctx) {
    String authorization = ctx.request().getHeader("Authorization");
    return authorization != null && authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())
        ? authorization.substring(BEARER.length()).trim() : null;
  }

  /**
   * An {@code Authorization: Bearer} request, before its body is read: the token's user, enabled, or
   * a 401 (recorded as a security event, never with the secret). No session or cookie is needed.
   */
  private void bearer(RoutingContext ctx, String secret) {
    ctx.request().pause(); // until the body handler: the look-up takes a turn of the event loop
    Future<java.util.Optional<User>> found = tokens == null ? Future.succeededFuture(java.util.Optional.empty())
        : tokens.authenticate(secret);
    found.onComplete(r -> {
      if (r.failed()) {
        ctx.fail(r.cause());
      } else if (r.result().isEmpty()) {
        security.record(SecurityEvent.Kind.LOGIN_FAILED, "-", clientAddress(ctx),
            "API token refused: unknown or revoked, or its account is disabled or gone");
        ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"switchboard\"");
        ctx.fail(new ApiException(401, "unauthorized", null, "the API token is not valid (revoked, or its account disabled)"));
      } else {
        ctx.put(CTX_USER, r.result().get());
        ctx.next();
      }
    });
  }

  /**
   * Every operation the document describes gets what its {@code security} says: none for a public
   * one, else a signed-in user (session or token), and an administrator for one marked
   * {@value ApiContract#ADMIN}. Paths the document does not know are left to the router (404).
   */
  private void authorize(RoutingContext ctx, ApiContract contract) {
    io.vertx.openapi.contract.Operation op = contract.operation(ctx);
    if (op == null || ApiContract.isPublic(op)) {
      ctx.next();
      return;
    }
    Handler<RoutingContext> role = c -> {
      if (ApiContract.adminOnly(op) && user(c).role() != Role.ADMIN) {
        c.fail(new ApiException(403, "forbidden", null, "administrators only"));
      } else {
        c.next();
      }
    };
    // The route's own authenticated() then passes at once.
    authenticate(ctx, role);
  }

  /** The client's address as the socket shows it (no proxy headers are trusted). */
  static String clientAddress(RoutingContext ctx) {
    return ctx.request().remoteAddress() == null ? "?" : ctx.request().remoteAddress().hostAddress();
  }

  Handler<RoutingContext> admin() {
    return ctx -> {
      if (user(ctx).role() != Role.ADMIN) {
        ctx.fail(new ApiException(403, "forbidden", null, "administrators only"));
      } else {
        ctx.next();
      }
    };
  }

  private void login(RoutingContext ctx) {
    if (ctx.session() == null) {
      ctx.fail(new ApiException(400, "invalid", null, "a login starts a session: send it without an Authorization header"));
      return;
    }
    JsonObject body = RequestBodies.object(ctx.body().asJsonObject(), java.util.Set.of("username", "password"));
    String username = body.getValue("username") instanceof String s ? s : null;
    String password = body.getValue("password") instanceof String s ? s : null;
    if (username == null || username.isEmpty()) {
      ctx.fail(ApiException.invalid("username", "required"));
      return;
    }
    if (password == null || password.isEmpty()) {
      ctx.fail(ApiException.invalid("password", "required"));
      return;
    }
    String address = clientAddress(ctx);
    // Before any hashing: attempts in flight count against the budget as failures would.
    LoginThrottle.Verdict verdict = throttle.admit(username, address);
    if (verdict.userNowThrottled()) {
      security.record(SecurityEvent.Kind.SOURCE_THROTTLED, username, address,
          "web logins for this account refused for " + verdict.retryAfterSeconds() + " s (failed logins)");
    }
    if (verdict.addressNowThrottled()) {
      security.record(SecurityEvent.Kind.SOURCE_THROTTLED, username, address,
          "web logins from this address refused for " + verdict.retryAfterSeconds() + " s (failed logins)");
    }
    if (!verdict.admitted()) {
      metrics.loginThrottled();
      ctx.response().putHeader("Retry-After", String.valueOf(verdict.retryAfterSeconds()));
      ctx.fail(new ApiException(429, "too-many-attempts", null,
          "too many failed logins; try again in " + verdict.retryAfterSeconds() + " s"));
      return;
    }
    accounts.verify(username, password).onComplete(result -> {
      if (result.failed()) {
        throttle.abandoned(username, address);
        ctx.fail(result.cause());
        return;
      }
      if (result.result().isEmpty()) {
        throttle.failed(username, address);
        loginFailures.failed(new JsonObject().put("username", username).put("address", address));
        metrics.loginFailed();
        security.record(SecurityEvent.Kind.LOGIN_FAILED, username, address,
            "web console: wrong username or password, or account disabled");
        ctx.fail(new ApiException(401, "unauthorized", null, "wrong username or password"));
        return;
      }
      User user = result.result().get();
      throttle.succeeded(username, address);
      ctx.session().regenerateId(); // no session fixation
      ctx.session().put(SESSION_USER, user.username());
      LOG.info("Login [user: {}, from: {}]", username, address);
      // The session is stored before the answer goes out (the handler's own flush at the headers' end
      // is not awaited): clustered, the browser's next request may reach another node at once.
      sessionHandler.flush(ctx).onComplete(stored -> {
        if (stored.failed()) {
          ctx.fail(stored.cause());
        } else {
          ctx.json(user.toJson());
        }
      });
    });
  }

  /**
   * State-changing requests with a body must say they are JSON. Browsers cannot send that
   * cross-site without a CORS preflight, which we never grant: with SameSite cookies, our CSRF defence.
   */
  private static void requireJsonBody(RoutingContext ctx) {
    HttpMethod m = ctx.request().method();
    boolean changes = m == HttpMethod.POST || m == HttpMethod.PUT || m == HttpMethod.PATCH;
    String type = ctx.request().getHeader("Content-Type");
    // The CSV import alone takes text/csv: not a CORS-safelisted type either, so no cross-site sending.
    boolean csv = type != null && ctx.request().path().equals("/api/import") && type.toLowerCase().startsWith("text/csv");
    // A file upload is multipart, which a cross-site form can send: from a browser it must also carry a header
    // that only a script of ours can set (a preflight we never grant); a token's request has no cookie to abuse.
    boolean upload = type != null && ctx.request().path().equals(FilesApi.UPLOAD_PATH)
        && type.toLowerCase().startsWith("multipart/form-data")
        && (bearerSecret(ctx) != null || "XMLHttpRequest".equals(ctx.request().getHeader("X-Requested-With")));
    if (changes && ctx.request().path().equals(FilesApi.UPLOAD_PATH) && !upload) {
      ctx.fail(new ApiException(415, "unsupported-media-type", null, "send the file as multipart/form-data"
          + " (from a browser with X-Requested-With: XMLHttpRequest)"));
      return;
    }
    if (changes && !csv && !upload && (type == null || !type.toLowerCase().startsWith("application/json"))) {
      ctx.fail(new ApiException(415, "unsupported-media-type", null, "send Content-Type: application/json"));
      return;
    }
    ctx.next();
  }

  /** Reads the body into memory, at most {@code limit} bytes (413 beyond); never a file. */
  private static BodyHandler body(long limit) {
    return BodyHandler.create(false).setBodyLimit(limit).setDeleteUploadedFilesOnEnd(true);
  }

  static JsonArray array(List<User> users) {
    JsonArray a = new JsonArray();
    users.forEach(u -> a.add(u.toJson()));
    return a;
  }
}
