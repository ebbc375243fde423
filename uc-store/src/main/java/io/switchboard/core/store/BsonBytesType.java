package io.switchboard.core.store;

import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.wire.bson.BsonDecoder;
import de.bwaldvogel.mongo.wire.bson.BsonEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.h2.mvstore.WriteBuffer;
import org.h2.mvstore.type.BasicDataType;

/**
 * A document in the embedded store, in its maps and in its file: its BSON bytes, as the wire protocol
 * encodes it. Kept as bytes in memory too ({@link BsonBytesCollection}), not as the decoded document:
 * one array per stored document instead of a tree of some fifty maps, strings and boxes, which every
 * young collection copied for each document written since the last checkpoint.
 */
final class BsonBytesType extends BasicDataType<byte[]> {

  static final BsonBytesType INSTANCE = new BsonBytesType();

  /** An array's header and length, for the page cache's estimate. */
  private static final int ARRAY_OVERHEAD = 24;

  private BsonBytesType() {
  }

  static byte[] encode(Document document) {
    ByteBuf bytes = Unpooled.buffer(512);
    BsonEncoder.encodeDocument(document, bytes);
    return ByteBufUtil.getBytes(bytes);
  }

  static Document decode(byte[] bson) {
    return BsonDecoder.decodeBson(Unpooled.wrappedBuffer(bson));
  }

  /** The BSON document starting at the buffer's position, copied out; the position moves past it. */
  static byte[] read(ByteBuf buff) {
    byte[] bson = new byte[buff.getIntLE(buff.readerIndex())]; // BSON begins with its own length
    buff.readBytes(bson);
    return bson;
  }

  @Override
  public int getMemory(byte[] bson) {
    return ARRAY_OVERHEAD + bson.length;
  }

  @Override
  public void write(WriteBuffer buff, byte[] bson) {
    buff.put(bson);
  }

  @Override
  public byte[] read(ByteBuffer buff) {
    byte[] bson = new byte[buff.duplicate().order(ByteOrder.LITTLE_ENDIAN).getInt()];
    buff.get(bson);
    return bson;
  }

  @Override
  public byte[][] createStorage(int size) {
    return new byte[size][];
  }
}
