package local.cdcsink.peer;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.flink.connector.dynamodb.sink.DynamoDbWriteRequest;
import org.apache.flink.connector.dynamodb.sink.DynamoDbWriteRequestType;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.DeserializationFeature;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * A Debezium JSON envelope (PostgreSQL, as the benchmark's workload) → the item the product writes
 * with its default layout (src/core/item.ts buildPut): key attribute `pk` = `source:id`, the row's
 * columns as top-level attributes (escaped as `_cdc_col_<name>` when reserved), and the `_cdc_*`
 * metadata, `_cdc_version` derived as src/core/versions/postgres.ts derives it. A delete becomes a
 * DeleteItem of the key (a Flink job has no tombstone item); a Kafka tombstone, a truncate or a
 * message becomes nothing. Unlike the product, no condition: whatever arrives last wins.
 */
final class Items {
  static final String KEY = "pk";
  private static final String TTL = "_cdc_expires_at";
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

  private Items() {}

  static DynamoDbWriteRequest request(
      String topic, int partition, long offset, byte[] key, byte[] value) throws IOException {
    if (value == null || value.length == 0) return null;
    JsonNode envelope = payload(JSON.readTree(value));
    String op = envelope.path("op").asText("");
    if (!List.of("c", "u", "d", "r").contains(op)) return null;
    JsonNode source = envelope.path("source");
    Map<String, AttributeValue> keyItem = Map.of(KEY, s(escape(sourceName(source, topic)) + ":" + id(key)));
    if (op.equals("d"))
      return DynamoDbWriteRequest.builder()
          .setType(DynamoDbWriteRequestType.DELETE)
          .setItem(keyItem)
          .build();
    Map<String, AttributeValue> item = new HashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = envelope.path("after").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> column = it.next();
      String name = column.getKey();
      boolean reserved = name.equals(KEY) || name.equals(TTL) || name.startsWith("_cdc_");
      item.put(reserved ? "_cdc_col_" + name : name, attribute(column.getValue()));
    }
    String version = pgVersion(op, source);
    if (version != null) item.put("_cdc_version", s(version));
    item.put("_cdc_deleted", AttributeValue.builder().bool(false).build());
    item.put("_cdc_op", s(op));
    item.put("_cdc_source", s(sourceName(source, topic)));
    item.put("_cdc_id", s(id(key)));
    item.put("_cdc_topic", s(topic));
    item.put("_cdc_partition", n(String.valueOf(partition)));
    item.put("_cdc_offset", n(String.valueOf(offset)));
    item.put("_cdc_written_at", n(String.valueOf(System.currentTimeMillis())));
    if (source.path("ts_ms").isNumber()) item.put("_cdc_source_ts_ms", n(source.path("ts_ms").asText()));
    item.putAll(keyItem);
    return DynamoDbWriteRequest.builder().setType(DynamoDbWriteRequestType.PUT).setItem(item).build();
  }

  /** A converter with schemas wraps the message in {schema, payload}. */
  private static JsonNode payload(JsonNode message) {
    return message.has("schema") && message.has("payload") ? message.get("payload") : message;
  }

  /** `connector.db.schema.table` from the source block, else the topic (src/core/identity.ts). */
  private static String sourceName(JsonNode source, String topic) {
    if (source.path("table").asText("").isEmpty()) return topic;
    List<String> parts = new ArrayList<>();
    for (String field : List.of("name", "db", "schema", "table")) {
      String part = source.path(field).asText("");
      if (!source.path(field).isNull() && !part.isEmpty()) parts.add(part);
    }
    return String.join(".", parts);
  }

  private static String escape(String source) {
    return source.replace("%", "%25").replace(":", "%3A");
  }

  /** The key columns' values in key order as a JSON array: `{"id":5}` → `[5]`. */
  private static String id(byte[] key) throws IOException {
    JsonNode columns = payload(JSON.readTree(key));
    List<String> values = new ArrayList<>();
    for (JsonNode v : columns) values.add(v.isBigDecimal() ? v.decimalValue().toPlainString() : JSON.writeValueAsString(v));
    return "[" + String.join(",", values) + "]";
  }

  /** `pg:EEEE:<lastCommitLsn>:<rank>:<lsn>`, 20 digits each, epoch 0 (src/core/versions/postgres.ts). */
  private static String pgVersion(String op, JsonNode source) throws IOException {
    JsonNode lsn = source.path("lsn");
    JsonNode lastCommit = null;
    if (source.path("sequence").isTextual()) {
      JsonNode pair = JSON.readTree(source.path("sequence").asText());
      if (pair.isArray() && pair.size() == 2) {
        lastCommit = pair.get(0);
        if (!pair.get(1).isNull()) lsn = pair.get(1);
      }
    }
    if (lsn.isMissingNode() || lsn.isNull()) return null;
    String position = lsn.asText();
    String commit = lastCommit == null || lastCommit.isNull() ? (op.equals("r") ? "0" : position) : lastCommit.asText();
    return "pg:0000:" + pad(commit) + ":" + (op.equals("r") ? "0" : "1") + ":" + pad(position);
  }

  private static String pad(String digits) {
    return "0".repeat(Math.max(0, 20 - digits.length())) + digits;
  }

  private static AttributeValue attribute(JsonNode v) {
    if (v == null || v.isNull()) return AttributeValue.builder().nul(true).build();
    if (v.isTextual()) return s(v.textValue());
    if (v.isBoolean()) return AttributeValue.builder().bool(v.booleanValue()).build();
    if (v.isNumber()) return n(v.isBigDecimal() ? v.decimalValue().toPlainString() : v.asText());
    if (v.isArray()) {
      List<AttributeValue> list = new ArrayList<>();
      for (JsonNode e : v) list.add(attribute(e));
      return AttributeValue.builder().l(list).build();
    }
    Map<String, AttributeValue> map = new HashMap<>();
    v.fields().forEachRemaining(e -> map.put(e.getKey(), attribute(e.getValue())));
    return AttributeValue.builder().m(map).build();
  }

  private static AttributeValue s(String text) {
    return AttributeValue.builder().s(text).build();
  }

  private static AttributeValue n(String text) {
    return AttributeValue.builder().n(text).build();
  }
}
