package io.switchboard.core.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonString;
import org.bson.RawBsonDocument;
import org.bson.codecs.BsonDocumentCodec;
import org.junit.jupiter.api.Test;

/** The wire messages the served store reads before authentication: bytes in, records out. */
class WireMessagesTest {

  private static byte[] bson(BsonDocument d) {
    java.nio.ByteBuffer b = new RawBsonDocument(d, new BsonDocumentCodec()).getByteBuffer().asNIO();
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }

  private static Buffer opQuery(int requestId, String collection, BsonDocument query) {
    Buffer b = Buffer.buffer().appendIntLE(0).appendIntLE(requestId).appendIntLE(0).appendIntLE(WireMessages.OP_QUERY)
        .appendIntLE(0).appendString(collection).appendByte((byte) 0).appendIntLE(0).appendIntLE(-1).appendBytes(bson(query));
    return b.setIntLE(0, b.length());
  }

  private static Buffer opMsg(int requestId, int flags, BsonDocument body) {
    Buffer b = Buffer.buffer().appendIntLE(0).appendIntLE(requestId).appendIntLE(0).appendIntLE(WireMessages.OP_MSG)
        .appendIntLE(flags).appendByte((byte) 0).appendBytes(bson(body));
    return b.setIntLE(0, b.length());
  }

  @Test
  void theDriversFirstHelloIsALegacyQueryAndIsAnsweredWithAnOpReply() {
    Buffer hello = opQuery(7, "admin.$cmd", new BsonDocument("isMaster", new BsonInt32(1))
        .append("saslSupportedMechs", new BsonString("admin.switchboard")));
    assertEquals(hello.length(), WireMessages.length(hello));
    WireMessages.Command c = WireMessages.command(hello);
    assertEquals("isMaster", c.name());
    assertEquals("admin", c.database());
    assertEquals(7, c.requestId());
    Buffer reply = WireMessages.reply(c, 3, new BsonDocument("ok", new BsonInt32(1)));
    assertEquals(WireMessages.OP_REPLY, WireMessages.opCode(reply));
    assertEquals(7, WireMessages.responseTo(reply));
    assertEquals(reply.length(), WireMessages.length(reply));
    Buffer rewritten = WireMessages.rewriteReply(reply, d -> d.append("added", new BsonString("yes")));
    assertEquals(rewritten.length(), WireMessages.length(rewritten));
    assertEquals(7, WireMessages.responseTo(rewritten));
    assertEquals(new BsonDocument("ok", new BsonInt32(1)).append("added", new BsonString("yes")),
        new RawBsonDocument(rewritten.getBytes(36, rewritten.length())).decode(new BsonDocumentCodec()));
  }

  @Test
  void anOpMsgCommandNamesItsDatabaseAndWhetherItWantsAnAnswer() {
    Buffer find = opMsg(9, 2, new BsonDocument("find", new BsonString("users")).append("$db", new BsonString("switchboard")));
    WireMessages.Command c = WireMessages.command(find);
    assertEquals("find", c.name());
    assertEquals("switchboard", c.database());
    assertTrue(c.moreToCome());
    assertFalse(WireMessages.command(opMsg(10, 0, new BsonDocument("ping", new BsonInt32(1)))).moreToCome());
    Buffer reply = WireMessages.reply(c, 4, new BsonDocument("ok", new BsonInt32(0)));
    assertEquals(WireMessages.OP_MSG, WireMessages.opCode(reply));
    assertEquals(9, WireMessages.responseTo(reply));
  }

  @Test
  void aQueryOnACollectionOrAnotherOpcodeIsNoCommand() {
    assertNull(WireMessages.command(opQuery(1, "switchboard.users", new BsonDocument("_id", new BsonString("x")))));
    Buffer compressed = Buffer.buffer().appendIntLE(20).appendIntLE(1).appendIntLE(0).appendIntLE(WireMessages.OP_COMPRESSED)
        .appendIntLE(0);
    assertNull(WireMessages.command(compressed));
    assertNull(WireMessages.command(Buffer.buffer().appendIntLE(16).appendIntLE(1).appendIntLE(0).appendIntLE(WireMessages.OP_MSG)),
        "truncated");
  }
}
