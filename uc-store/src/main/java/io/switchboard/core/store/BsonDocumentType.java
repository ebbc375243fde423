package io.switchboard.core.store;

import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.wire.bson.BsonDecoder;
import de.bwaldvogel.mongo.wire.bson.BsonEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import org.h2.mvstore.WriteBuffer;
import org.h2.mvstore.type.BasicDataType;

/** A document in the embedded store's file: its BSON bytes, as the wire protocol encodes it. */
final class BsonDocumentType extends BasicDataType<Document> {

  static final BsonDocumentType INSTANCE = new BsonDocumentType();

  private BsonDocumentType() {
  }

  @Override
  public int getMemory(Document document) {
    return BsonValueType.estimatedMemory(document);
  }

  @Override
  public void write(WriteBuffer buff, Document document) {
    ByteBuf bytes = Unpooled.buffer(512);
    BsonEncoder.encodeDocument(document, bytes);
    buff.put(bytes.array(), bytes.arrayOffset(), bytes.readableBytes());
  }

  @Override
  public Document read(ByteBuffer buff) {
    ByteBuf bytes = Unpooled.wrappedBuffer(buff.duplicate()); // BSON carries its own length
    Document document = BsonDecoder.decodeBson(bytes);
    buff.position(buff.position() + bytes.readerIndex());
    return document;
  }

  @Override
  public Document[] createStorage(int size) {
    return new Document[size];
  }
}
