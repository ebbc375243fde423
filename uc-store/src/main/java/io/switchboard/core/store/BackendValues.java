package io.switchboard.core.store;

import de.bwaldvogel.mongo.bson.BinData;
import de.bwaldvogel.mongo.bson.BsonJavaScript;
import de.bwaldvogel.mongo.bson.BsonRegularExpression;
import de.bwaldvogel.mongo.bson.BsonTimestamp;
import de.bwaldvogel.mongo.bson.Decimal128;
import de.bwaldvogel.mongo.bson.LegacyUUID;
import de.bwaldvogel.mongo.bson.MaxKey;
import de.bwaldvogel.mongo.bson.MinKey;
import de.bwaldvogel.mongo.bson.ObjectId;
import de.bwaldvogel.mongo.wire.bson.BsonEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.bson.BsonBinary;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonInt64;
import org.bson.BsonObjectId;
import org.bson.BsonString;
import org.bson.BsonValue;
import org.bson.RawBsonDocument;
import org.bson.codecs.configuration.CodecRegistry;
import org.bson.conversions.Bson;
import org.bson.types.Binary;

/**
 * The driver's documents as the embedded server's backend holds them, converted in memory: the same
 * values its wire decoder makes of what the driver's codecs encode ({@code Date} an {@code Instant},
 * an ObjectId the server's, a binary by subtype...), without the bytes in between. The common Java
 * types are converted directly; any other value (and every {@link Bson} filter or update) is rendered by
 * the collection's codec registry first, so that what the driver cannot encode fails as it would.
 */
final class BackendValues {

  private BackendValues() {
  }

  /**
   * A document to insert or a replacement: {@code _id} first, as the driver writes a collectible
   * document.
   */
  static de.bwaldvogel.mongo.bson.Document collectible(org.bson.Document document, CodecRegistry codecs) {
    de.bwaldvogel.mongo.bson.Document out = new de.bwaldvogel.mongo.bson.Document();
    Object id = document.get("_id");
    if (id != null || document.containsKey("_id")) {
      out.put("_id", value(id, codecs));
    }
    for (Map.Entry<String, Object> e : document.entrySet()) {
      if (!e.getKey().equals("_id")) {
        out.put(e.getKey(), value(e.getValue(), codecs));
      }
    }
    return out;
  }

  /** A filter or an update: a plain document as it is, anything else ({@code Filters}, {@code Updates}) rendered. */
  static de.bwaldvogel.mongo.bson.Document bson(Bson bson, CodecRegistry codecs) {
    if (bson instanceof org.bson.Document document) {
      return document(document, codecs);
    }
    return document(bson.toBsonDocument(org.bson.Document.class, codecs));
  }

  private static de.bwaldvogel.mongo.bson.Document document(Map<?, ?> map, CodecRegistry codecs) {
    de.bwaldvogel.mongo.bson.Document out = new de.bwaldvogel.mongo.bson.Document();
    for (Map.Entry<?, ?> e : map.entrySet()) {
      out.put((String) e.getKey(), value(e.getValue(), codecs));
    }
    return out;
  }

  /** One value of a driver document. */
  static Object value(Object value, CodecRegistry codecs) {
    if (value == null || value instanceof String || value instanceof Integer || value instanceof Long
        || value instanceof Double || value instanceof Boolean) {
      return value;
    } else if (value instanceof Date date) {
      return Instant.ofEpochMilli(date.getTime());
    } else if (value instanceof Instant instant) {
      return Instant.ofEpochMilli(instant.toEpochMilli()); // a BSON date holds milliseconds
    } else if (value instanceof org.bson.types.ObjectId id) {
      return new ObjectId(id.toByteArray());
    } else if (value instanceof org.bson.Document document) {
      return document(document, codecs);
    } else if (value instanceof List<?> list) {
      List<Object> out = new ArrayList<>(list.size());
      for (Object element : list) {
        out.add(value(element, codecs));
      }
      return out;
    } else if (value instanceof Binary binary) {
      return binary(binary.getType(), binary.getData());
    } else if (value instanceof byte[] bytes) {
      return new BinData(bytes.clone());
    } else if (value instanceof org.bson.types.Decimal128 d) {
      return new Decimal128(d.getLow(), d.getHigh());
    } else if (value instanceof BsonValue bsonValue) {
      return value(bsonValue);
    } else if (value instanceof Map<?, ?> map && map.keySet().stream().allMatch(String.class::isInstance)) {
      return document(map, codecs);
    }
    // Anything else as the driver would encode it: its codec, then the rendered value.
    return value(new org.bson.Document("v", value).toBsonDocument(org.bson.Document.class, codecs).get("v"));
  }

  private static de.bwaldvogel.mongo.bson.Document document(BsonDocument document) {
    de.bwaldvogel.mongo.bson.Document out = new de.bwaldvogel.mongo.bson.Document();
    for (Map.Entry<String, BsonValue> e : document.entrySet()) {
      out.put(e.getKey(), value(e.getValue()));
    }
    return out;
  }

  /** A rendered value, as {@code BsonDecoder.decodeValue} reads its type. */
  static Object value(BsonValue value) {
    switch (value.getBsonType()) {
      case DOUBLE:
        return value.asDouble().getValue();
      case STRING:
        return value.asString().getValue();
      case DOCUMENT:
        return document(value.asDocument());
      case ARRAY: {
        List<Object> out = new ArrayList<>();
        for (BsonValue element : value.asArray()) {
          out.add(value(element));
        }
        return out;
      }
      case BINARY: {
        BsonBinary binary = value.asBinary();
        return binary(binary.getType(), binary.getData());
      }
      case UNDEFINED:
      case NULL:
        return null;
      case OBJECT_ID:
        return new ObjectId(value.asObjectId().getValue().toByteArray());
      case BOOLEAN:
        return value.asBoolean().getValue();
      case DATE_TIME:
        return Instant.ofEpochMilli(value.asDateTime().getValue());
      case REGULAR_EXPRESSION:
        return new BsonRegularExpression(value.asRegularExpression().getPattern(), value.asRegularExpression().getOptions());
      case JAVASCRIPT:
        return new BsonJavaScript(value.asJavaScript().getCode());
      case INT32:
        return value.asInt32().getValue();
      case TIMESTAMP:
        return new BsonTimestamp(value.asTimestamp().getValue());
      case INT64:
        return value.asInt64().getValue();
      case DECIMAL128:
        org.bson.types.Decimal128 d = value.asDecimal128().getValue();
        return new Decimal128(d.getLow(), d.getHigh());
      case MIN_KEY:
        return MinKey.getInstance();
      case MAX_KEY:
        return MaxKey.getInstance();
      default:
        // A symbol, a DBPointer, JavaScript with scope: the server's decoder refuses them too.
        throw new IllegalArgumentException("unhandled BSON type for the embedded store: " + value.getBsonType());
    }
  }

  /** By subtype, as the server's decoder: a UUID's two longs as its subtype orders them. */
  private static Object binary(byte subtype, byte[] data) {
    switch (subtype) {
      case 0:
      case (byte) 0x80:
        return new BinData(data.clone());
      case 3:
        requireUuidLength(data);
        ByteBuffer legacy = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        return new LegacyUUID(legacy.getLong(), legacy.getLong());
      case 4:
        requireUuidLength(data);
        ByteBuffer standard = ByteBuffer.wrap(data);
        return new UUID(standard.getLong(), standard.getLong());
      default:
        throw new IllegalArgumentException("Unknown subtype: " + subtype);
    }
  }

  private static void requireUuidLength(byte[] data) {
    if (data.length != 16) {
      throw new IllegalArgumentException("Illegal length: " + data.length);
    }
  }

  /** A backend value (an {@code _id} in a write's result) as the driver would have read it from a reply. */
  static BsonValue bsonOf(Object value) {
    if (value instanceof String s) {
      return new BsonString(s);
    } else if (value instanceof ObjectId id) {
      return new BsonObjectId(new org.bson.types.ObjectId(id.toByteArray()));
    } else if (value instanceof Integer i) {
      return new BsonInt32(i);
    } else if (value instanceof Long l) {
      return new BsonInt64(l);
    }
    ByteBuf bytes = Unpooled.buffer(64);
    BsonEncoder.encodeDocument(new de.bwaldvogel.mongo.bson.Document("v", value), bytes);
    byte[] array = new byte[bytes.readableBytes()];
    bytes.readBytes(array);
    return new RawBsonDocument(array).get("v");
  }
}
