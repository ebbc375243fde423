package io.switchboard.core.store;

import io.switchboard.api.SecurityEvent;
import io.switchboard.core.security.SecurityLog;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import org.bson.BsonArray;
import org.bson.BsonBinary;
import org.bson.BsonBoolean;
import org.bson.BsonDocument;
import org.bson.BsonDouble;
import org.bson.BsonInt32;
import org.bson.BsonString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client of the served store, between its socket and the embedded store's: until the client has
 * authenticated (SCRAM-SHA-256, as MongoDB: {@code saslStart}, {@code saslContinue}), every message is
 * read here. The handshake's hello and ping reach the store (a hello's reply gains
 * {@code saslSupportedMechs}, and never carries {@code speculativeAuthenticate}, so the driver falls back
 * to saslStart); the SASL commands are answered here; anything else gets MongoDB's "requires
 * authentication" (code 13) and never reaches the store. Once authenticated, bytes flow through
 * unchanged both ways. A failed authentication is a security event and ends the connection.
 * Runs on the one event loop both sockets share.
 */
final class AuthenticatingRelay {

  private static final Logger LOG = LoggerFactory.getLogger(AuthenticatingRelay.class);
  /** A client that has not authenticated sends a hello and SASL messages: a few hundred bytes each. */
  static final int MAX_UNAUTHENTICATED_MESSAGE = 1 << 20;
  private static final int CONVERSATION_ID = 1;
  /** Commands MongoDB answers without authentication that the embedded store answers too. */
  private static final Set<String> HANDSHAKE = Set.of("hello", "isMaster", "ismaster");
  private static final Set<String> OPEN = Set.of("ping", "buildInfo", "buildinfo");

  private final NetSocket client;
  private final NetSocket store;
  private final ScramSha256 scram;
  private final SecurityLog security;
  private final String source;
  private Buffer fromClient = Buffer.buffer();
  private Buffer fromStore = Buffer.buffer();
  /** Hello requests whose reply gets saslSupportedMechs. */
  private final Set<Integer> helloAskingMechanisms = new HashSet<>();
  private int nextRequestId = 1;
  private ScramSha256.Conversation conversation;
  private boolean skipEmptyExchange;
  /** The server-final message sent with done: false; the client's empty saslContinue completes it. */
  private boolean proofAccepted;
  private boolean authenticated;
  private boolean storePiped;

  AuthenticatingRelay(NetSocket client, NetSocket store, ScramSha256 scram, SecurityLog security) {
    this.client = client;
    this.store = store;
    this.scram = scram;
    this.security = security;
    this.source = client.remoteAddress().hostAddress();
  }

  /** Starts reading the client (paused until now) and the store. */
  void start() {
    client.closeHandler(v -> store.close());
    store.closeHandler(v -> client.close());
    client.exceptionHandler(e -> LOG.debug("Store client failed [from: {}] {}", source, e.toString()));
    store.exceptionHandler(e -> LOG.debug("Store relay: the store's side failed [from: {}] {}", source, e.toString()));
    store.handler(this::fromStore);
    client.handler(this::fromClient);
    client.resume();
  }

  private void fromClient(Buffer data) {
    fromClient.appendBuffer(data);
    while (!authenticated) {
      int length = WireMessages.length(fromClient);
      if (length == -1) {
        return;
      }
      if (length < WireMessages.HEADER || length > MAX_UNAUTHENTICATED_MESSAGE) {
        LOG.debug("Store client closed: message of {} bytes before authenticating [from: {}]", length, source);
        client.close();
        return;
      }
      if (fromClient.length() < length) {
        return;
      }
      Buffer message = fromClient.getBuffer(0, length);
      fromClient = fromClient.getBuffer(length, fromClient.length());
      if (!handle(message)) {
        return;
      }
    }
    // Authenticated: what is left goes through, then every byte.
    if (fromClient.length() > 0) {
      store.write(fromClient);
      fromClient = Buffer.buffer();
    }
    client.pipeTo(store);
    pipeStoreWhenIdle();
  }

  /** Answers or forwards one message of a client not yet authenticated; false: the connection is closing. */
  private boolean handle(Buffer message) {
    WireMessages.Command command = WireMessages.command(message);
    if (command == null) {
      LOG.debug("Store client closed: not a command before authenticating [from: {}, opCode: {}]", source,
          WireMessages.opCode(message));
      client.close();
      return false;
    }
    String name = command.name();
    if (HANDSHAKE.contains(name)) {
      if (asksForOurUser(command.body())) {
        helloAskingMechanisms.add(command.requestId());
      }
      store.write(message);
      return true;
    }
    if (OPEN.contains(name)) {
      store.write(message);
      return true;
    }
    if (name.equals("saslStart")) {
      return saslStart(command);
    }
    if (name.equals("saslContinue")) {
      return saslContinue(command);
    }
    answer(command, error(13, "Unauthorized", "command " + name + " requires authentication"));
    return true;
  }

  /** MongoDB lists the mechanisms of the user named in saslSupportedMechs ("admin.switchboard"). */
  private static boolean asksForOurUser(BsonDocument hello) {
    return hello.isString("saslSupportedMechs")
        && hello.getString("saslSupportedMechs").getValue().equals("admin." + io.switchboard.core.config.SwitchboardConfig.Cluster.STORE_USER);
  }

  private boolean saslStart(WireMessages.Command command) {
    String mechanism = command.body().isString("mechanism") ? command.body().getString("mechanism").getValue() : "";
    if (!mechanism.equals(ScramSha256.MECHANISM)) {
      answer(command, error(334, "MechanismUnavailable",
          "Received authentication for mechanism " + mechanism + " which is not enabled"));
      return true;
    }
    if (!command.database().equals("admin")) {
      return failed(command, "-", "user not in database " + command.database() + " (authSource=admin)");
    }
    skipEmptyExchange = command.body().isDocument("options")
        && command.body().getDocument("options").getBoolean("skipEmptyExchange", BsonBoolean.FALSE).getValue();
    try {
      conversation = scram.start(payload(command));
    } catch (ScramSha256.Failed e) {
      return failed(command, "-", e.getMessage());
    }
    answer(command, sasl(false, conversation.serverFirst()));
    return true;
  }

  private boolean saslContinue(WireMessages.Command command) {
    if (conversation == null || !command.body().isNumber("conversationId")
        || command.body().getNumber("conversationId").intValue() != CONVERSATION_ID) {
      answer(command, error(17, "ProtocolError", "No SASL session state found"));
      return true;
    }
    if (proofAccepted) {
      authenticated = true;
      answer(command, sasl(true, ""));
      return true;
    }
    String serverFinal;
    try {
      serverFinal = conversation.finish(payload(command));
    } catch (ScramSha256.Failed e) {
      return failed(command, printable(conversation.user()), e.getMessage());
    }
    proofAccepted = true;
    authenticated = skipEmptyExchange;
    answer(command, sasl(skipEmptyExchange, serverFinal));
    LOG.debug("Store client authenticated [from: {}, user: {}]", source, conversation.user());
    return true;
  }

  /**
   * Answers AuthenticationFailed, records the failure, reads nothing more and ends the connection once
   * the answer is out (a guess costs a new connection). Returns false.
   */
  private boolean failed(WireMessages.Command command, String user, String why) {
    security.record(SecurityEvent.Kind.LOGIN_FAILED, user, source, "store.serve-port: SCRAM-SHA-256 failed: " + why);
    client.pause();
    client.write(reply(command, error(18, "AuthenticationFailed", "Authentication failed.")))
        .onComplete(r -> client.close());
    return false;
  }

  /** The user a client named, as the security log may show it (its own text, bounded). */
  private static String printable(String user) {
    String kept = user.replaceAll("[^A-Za-z0-9._@-]", "?");
    return kept.length() > 64 ? kept.substring(0, 64) : kept;
  }

  private static String payload(WireMessages.Command command) throws ScramSha256.Failed {
    if (!command.body().isBinary("payload")) {
      throw new ScramSha256.Failed("no payload");
    }
    return new String(command.body().getBinary("payload").getData(), StandardCharsets.UTF_8);
  }

  private void fromStore(Buffer data) {
    fromStore.appendBuffer(data);
    while (true) {
      int length = WireMessages.length(fromStore);
      if (length < WireMessages.HEADER || fromStore.length() < length) {
        break;
      }
      Buffer message = fromStore.getBuffer(0, length);
      fromStore = fromStore.getBuffer(length, fromStore.length());
      client.write(helloAskingMechanisms.remove(WireMessages.responseTo(message))
          ? WireMessages.rewriteReply(message, AuthenticatingRelay::withMechanisms) : message);
    }
    if (authenticated) {
      pipeStoreWhenIdle();
    }
  }

  private static BsonDocument withMechanisms(BsonDocument hello) {
    hello.remove("speculativeAuthenticate");
    hello.put("saslSupportedMechs", new BsonArray(java.util.List.of(new BsonString(ScramSha256.MECHANISM))));
    return hello;
  }

  /** The store's replies flow through unread once no hello reply is awaited and no partial message is held. */
  private void pipeStoreWhenIdle() {
    if (!storePiped && helloAskingMechanisms.isEmpty() && fromStore.length() == 0) {
      storePiped = true;
      store.pipeTo(client);
    }
  }

  private void answer(WireMessages.Command command, BsonDocument document) {
    if (!command.moreToCome()) {
      client.write(reply(command, document));
    }
  }

  private Buffer reply(WireMessages.Command command, BsonDocument document) {
    return WireMessages.reply(command, nextRequestId++, document);
  }

  private static BsonDocument sasl(boolean done, String payload) {
    return new BsonDocument("conversationId", new BsonInt32(CONVERSATION_ID)).append("done", BsonBoolean.valueOf(done))
        .append("payload", new BsonBinary(payload.getBytes(StandardCharsets.UTF_8))).append("ok", new BsonDouble(1));
  }

  /** MongoDB's error reply: {ok: 0, errmsg, code, codeName}. */
  private static BsonDocument error(int code, String codeName, String message) {
    return new BsonDocument("ok", new BsonDouble(0)).append("errmsg", new BsonString(message))
        .append("code", new BsonInt32(code)).append("codeName", new BsonString(codeName));
  }
}
