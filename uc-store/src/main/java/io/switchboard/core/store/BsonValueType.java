package io.switchboard.core.store;

import de.bwaldvogel.mongo.backend.Missing;
import de.bwaldvogel.mongo.bson.BinData;
import de.bwaldvogel.mongo.wire.BsonConstants;
import de.bwaldvogel.mongo.wire.bson.BsonDecoder;
import de.bwaldvogel.mongo.wire.bson.BsonEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.Map;
import org.h2.mvstore.WriteBuffer;
import org.h2.mvstore.type.BasicDataType;

/**
 * An {@code _id} value (a collection's key, a unique index's position) in the embedded store's file:
 * its BSON type byte and BSON value, as the wire protocol encodes it, so neither writing nor comparing
 * it serialises Java objects. Ordered by {@link KeyOrder}.
 */
final class BsonValueType extends BasicDataType<Object> {

  static final BsonValueType INSTANCE = new BsonValueType();

  /** BSON's deprecated "undefined", which the encoder never writes: here the backend's {@link Missing}. */
  private static final byte MISSING = BsonConstants.TYPE_UNDEFINED;

  private BsonValueType() {
  }

  @Override
  public int compare(Object a, Object b) {
    return KeyOrder.VALUES.compare(a, b);
  }

  @Override
  public int getMemory(Object value) {
    return estimatedMemory(value);
  }

  @Override
  public void write(WriteBuffer buff, Object value) {
    ByteBuf bytes = Unpooled.buffer(32);
    encode(value, bytes);
    buff.put(bytes.array(), bytes.arrayOffset(), bytes.readableBytes());
  }

  @Override
  public Object read(ByteBuffer buff) {
    ByteBuf bytes = Unpooled.wrappedBuffer(buff.duplicate());
    Object value = decode(bytes);
    buff.position(buff.position() + bytes.readerIndex());
    return value;
  }

  @Override
  public Object[] createStorage(int size) {
    return new Object[size];
  }

  static void encode(Object value, ByteBuf out) {
    if (value instanceof Missing) {
      out.writeByte(MISSING);
      return;
    }
    byte type = BsonEncoder.determineType(value);
    out.writeByte(type);
    BsonEncoder.encodeValue(type, value, out);
  }

  static Object decode(ByteBuf in) {
    byte type = in.readByte();
    return type == MISSING ? Missing.getInstance() : BsonDecoder.decodeValue(type, in);
  }

  /**
   * Heap bytes, roughly, for the page cache's accounting, without encoding: H2 asks for samples of
   * every page it reads or writes.
   */
  static int estimatedMemory(Object value) {
    if (value instanceof String s) {
      return 48 + s.length();
    } else if (value instanceof Map<?, ?> map) {
      int sum = 64;
      for (Map.Entry<?, ?> e : map.entrySet()) {
        sum += 48 + estimatedMemory(e.getKey()) + estimatedMemory(e.getValue());
      }
      return sum;
    } else if (value instanceof Collection<?> list) {
      int sum = 48;
      for (Object element : list) {
        sum += 8 + estimatedMemory(element);
      }
      return sum;
    } else if (value instanceof BinData bin) {
      return 32 + bin.getData().length;
    }
    return 24;
  }
}
