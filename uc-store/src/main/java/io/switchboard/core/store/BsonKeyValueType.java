package io.switchboard.core.store;

import de.bwaldvogel.mongo.backend.KeyValue;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.h2.mvstore.WriteBuffer;
import org.h2.mvstore.type.BasicDataType;

/**
 * A unique index's key in the embedded store's file: the number of values, then each as
 * {@link BsonValueType} writes it. Ordered by {@link KeyOrder}, without serialising anything.
 */
final class BsonKeyValueType extends BasicDataType<KeyValue> {

  static final BsonKeyValueType INSTANCE = new BsonKeyValueType();

  private BsonKeyValueType() {
  }

  @Override
  public int compare(KeyValue a, KeyValue b) {
    return KeyOrder.KEY_VALUES.compare(a, b);
  }

  @Override
  public int getMemory(KeyValue key) {
    int sum = 48;
    for (Object value : key) {
      sum += 8 + BsonValueType.estimatedMemory(value);
    }
    return sum;
  }

  @Override
  public void write(WriteBuffer buff, KeyValue key) {
    ByteBuf bytes = Unpooled.buffer(32);
    bytes.writeByte(key.size()); // an index has at most 32 fields
    for (Object value : key) {
      BsonValueType.encode(value, bytes);
    }
    buff.put(bytes.array(), bytes.arrayOffset(), bytes.readableBytes());
  }

  @Override
  public KeyValue read(ByteBuffer buff) {
    ByteBuf bytes = Unpooled.wrappedBuffer(buff.duplicate());
    int size = bytes.readUnsignedByte();
    List<Object> values = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      values.add(BsonValueType.decode(bytes));
    }
    buff.position(buff.position() + bytes.readerIndex());
    return new KeyValue(values);
  }

  @Override
  public KeyValue[] createStorage(int size) {
    return new KeyValue[size];
  }
}
