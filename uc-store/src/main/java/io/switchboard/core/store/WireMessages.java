package io.switchboard.core.store;

import io.vertx.core.buffer.Buffer;
import java.util.function.UnaryOperator;
import org.bson.BsonDocument;
import org.bson.RawBsonDocument;
import org.bson.codecs.BsonDocumentCodec;

/**
 * The part of MongoDB's wire protocol the served store reads before a connection has authenticated:
 * a message's header, the command in an OP_MSG (its body section) or in a legacy OP_QUERY on
 * {@code db.$cmd} (the driver's first hello), a reply in the request's own format, and a reply's
 * document rewritten. Pure: bytes in, records out. All integers little-endian.
 */
final class WireMessages {

  static final int OP_REPLY = 1;
  static final int OP_QUERY = 2004;
  static final int OP_COMPRESSED = 2012;
  static final int OP_MSG = 2013;
  static final int HEADER = 16;
  private static final int CHECKSUM_PRESENT = 1;
  private static final int MORE_TO_COME = 1 << 1;
  private static final BsonDocumentCodec CODEC = new BsonDocumentCodec();

  private WireMessages() {
  }

  /**
   * A command sent to the store. name: the body's first key; database: {@code $db} (OP_MSG) or the part
   * of the collection name before {@code .$cmd} (OP_QUERY); moreToCome: the client wants no answer.
   */
  record Command(int requestId, int opCode, String name, String database, BsonDocument body, boolean moreToCome) {
  }

  /** The whole message's length as its header says, once at least 4 bytes are there; else -1. */
  static int length(Buffer bytes) {
    return bytes.length() < 4 ? -1 : bytes.getIntLE(0);
  }

  static int requestId(Buffer message) {
    return message.getIntLE(4);
  }

  static int responseTo(Buffer message) {
    return message.getIntLE(8);
  }

  static int opCode(Buffer message) {
    return message.getIntLE(12);
  }

  /**
   * The command in {@code message} (one whole message); null when it is none we read (another opcode,
   * a query on a collection, a malformed message).
   */
  static Command command(Buffer message) {
    try {
      int op = opCode(message);
      if (op == OP_MSG) {
        int flags = message.getIntLE(HEADER);
        if (message.getByte(HEADER + 4) != 0) {
          return null;
        }
        BsonDocument body = document(message, HEADER + 5);
        if (body.isEmpty()) {
          return null;
        }
        String db = body.isString("$db") ? body.getString("$db").getValue() : "";
        return new Command(requestId(message), op, body.getFirstKey(), db, body, (flags & MORE_TO_COME) != 0);
      }
      if (op == OP_QUERY) {
        int at = HEADER + 4;
        int end = at;
        while (message.getByte(end) != 0) {
          end++;
        }
        String collection = message.getString(at, end, "UTF-8");
        if (!collection.endsWith(".$cmd")) {
          return null;
        }
        BsonDocument body = document(message, end + 1 + 8);
        // Legacy drivers wrap a command with read preferences as {$query: {...}, $readPreference: ...}.
        if (body.isDocument("$query")) {
          body = body.getDocument("$query");
        }
        if (body.isEmpty()) {
          return null;
        }
        return new Command(requestId(message), op, body.getFirstKey(),
            collection.substring(0, collection.length() - ".$cmd".length()), body, false);
      }
      return null;
    } catch (RuntimeException malformed) {
      return null;
    }
  }

  /** A reply to {@code command} carrying {@code document}: OP_REPLY to an OP_QUERY, OP_MSG to an OP_MSG. */
  static Buffer reply(Command command, int requestId, BsonDocument document) {
    byte[] doc = bytes(document);
    Buffer out = Buffer.buffer(HEADER + 20 + doc.length);
    out.appendIntLE(0).appendIntLE(requestId).appendIntLE(command.requestId());
    if (command.opCode() == OP_QUERY) {
      // responseFlags, cursorID, startingFrom, numberReturned
      out.appendIntLE(OP_REPLY).appendIntLE(0).appendLongLE(0).appendIntLE(0).appendIntLE(1);
    } else {
      out.appendIntLE(OP_MSG).appendIntLE(0).appendByte((byte) 0);
    }
    out.appendBytes(doc);
    out.setIntLE(0, out.length());
    return out;
  }

  /**
   * {@code reply} (an OP_REPLY with one document or an OP_MSG) with its document replaced by
   * {@code change} of it; other messages unchanged. An OP_MSG loses its checksum (its flag is cleared).
   */
  static Buffer rewriteReply(Buffer reply, UnaryOperator<BsonDocument> change) {
    int op = opCode(reply);
    int docAt;
    if (op == OP_REPLY && reply.getIntLE(HEADER + 16) == 1) {
      docAt = HEADER + 20;
    } else if (op == OP_MSG && reply.getByte(HEADER + 4) == 0) {
      docAt = HEADER + 5;
    } else {
      return reply;
    }
    int docLength = reply.getIntLE(docAt);
    int end = reply.length();
    if (op == OP_MSG && (reply.getIntLE(HEADER) & CHECKSUM_PRESENT) != 0) {
      end -= 4;
    }
    byte[] changed = bytes(change.apply(document(reply, docAt)));
    Buffer out = Buffer.buffer(reply.length() + changed.length - docLength);
    out.appendBuffer(reply, 0, docAt).appendBytes(changed).appendBuffer(reply, docAt + docLength, end - docAt - docLength);
    out.setIntLE(0, out.length());
    if (op == OP_MSG) {
      out.setIntLE(HEADER, out.getIntLE(HEADER) & ~CHECKSUM_PRESENT);
    }
    return out;
  }

  private static BsonDocument document(Buffer message, int at) {
    int length = message.getIntLE(at);
    return new RawBsonDocument(message.getBytes(at, at + length)).decode(CODEC);
  }

  private static byte[] bytes(BsonDocument document) {
    RawBsonDocument raw = new RawBsonDocument(document, CODEC);
    java.nio.ByteBuffer b = raw.getByteBuffer().asNIO();
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }
}
