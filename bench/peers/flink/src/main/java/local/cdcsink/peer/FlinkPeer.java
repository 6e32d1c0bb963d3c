package local.cdcsink.peer;

import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.LongAdder;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.connector.aws.config.AWSConfigConstants;
import org.apache.flink.connector.dynamodb.sink.DynamoDbSink;
import org.apache.flink.connector.dynamodb.sink.DynamoDbWriteRequest;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.streaming.api.CheckpointingMode;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;

/**
 * The benchmark's Flink peer: KafkaSource → DynamoDbSink in a local MiniCluster (this JVM), over the
 * benchmark's Debezium JSON topic, writing the items the product writes (Items.java) with Flink's
 * unconditional BatchWriteItem. Prints `PROGRESS <consumed> <requests> <acknowledged>` every 100 ms
 * on stdout: records read from Kafka, write requests they became (tombstones become none), and
 * writes DynamoDB acknowledged (counted by Acks, an SDK interceptor, when a BatchWriteItem returns).
 * A record is done when its write is acknowledged or when it needed none:
 * done = acknowledged + consumed - requests. A write the sink drops as superseded within one batch
 * (setOverwriteByPartitionKeys) is never acknowledged, so this under-counts by those: rare here,
 * where a batch of 25 seldom holds one key twice.
 *
 * <p>Arguments: --brokers --topic --group --endpoint --table [--parallelism 2] [--bounded true]
 * [--checkpoint-ms 10000].
 */
public final class FlinkPeer {
  static final LongAdder CONSUMED = new LongAdder();
  static final LongAdder REQUESTS = new LongAdder();

  private FlinkPeer() {}

  /**
   * Counts the writes DynamoDB acknowledged: a BatchWriteItem's items less its UnprocessedItems
   * (which the sink sends again). Registered for every SDK client in this JVM by the classpath file
   * software/amazon/awssdk/global/handlers/execution.interceptors: the sink builds its own client.
   * Flink's numRecordsOut counts a batch when it is sent, not when it is acknowledged.
   */
  public static final class Acks implements ExecutionInterceptor {
    static final LongAdder ACKNOWLEDGED = new LongAdder();

    @Override
    public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
      if (context.request() instanceof BatchWriteItemRequest request
          && context.response() instanceof BatchWriteItemResponse response) {
        long sent = request.requestItems().values().stream().mapToLong(List::size).sum();
        long left = response.unprocessedItems().values().stream().mapToLong(List::size).sum();
        ACKNOWLEDGED.add(sent - left);
      }
    }
  }

  /** Kafka record → write request, in the source reader's thread; tombstones yield nothing. */
  static final class Decode implements KafkaRecordDeserializationSchema<DynamoDbWriteRequest> {
    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<DynamoDbWriteRequest> out)
        throws java.io.IOException {
      CONSUMED.increment();
      DynamoDbWriteRequest request =
          Items.request(
              record.topic(), record.partition(), record.offset(), record.key(), record.value());
      if (request != null) {
        REQUESTS.increment();
        out.collect(request);
      }
    }

    @Override
    public TypeInformation<DynamoDbWriteRequest> getProducedType() {
      return TypeInformation.of(DynamoDbWriteRequest.class);
    }
  }

  public static void main(String[] args) throws Exception {
    Properties a = new Properties();
    for (int i = 0; i + 1 < args.length; i += 2) a.setProperty(args[i].replaceFirst("^--", ""), args[i + 1]);
    for (String required : List.of("brokers", "topic", "group", "endpoint", "table"))
      if (a.getProperty(required) == null) {
        System.err.println(
            "usage: java -jar flink-peer.jar --brokers B --topic T --group G --endpoint URL --table T "
                + "[--parallelism 2] [--bounded true|false] [--checkpoint-ms 10000]");
        System.exit(2);
      }

    Configuration conf = new Configuration();
    conf.set(RestOptions.BIND_PORT, "0"); // several runs share the machine
    StreamExecutionEnvironment env =
        StreamExecutionEnvironment.createLocalEnvironment(
            Integer.parseInt(a.getProperty("parallelism", "2")), conf);
    // Source and sink are chained in one task: hand the request over without a Kryo copy.
    env.getConfig().enableObjectReuse();
    // At-least-once as a Flink user would run it: offsets are committed to Kafka on checkpoints,
    // and a checkpoint flushes the sink's buffer first.
    env.enableCheckpointing(
        Long.parseLong(a.getProperty("checkpoint-ms", "10000")), CheckpointingMode.AT_LEAST_ONCE);

    var source =
        KafkaSource.<DynamoDbWriteRequest>builder()
            .setBootstrapServers(a.getProperty("brokers"))
            .setTopics(a.getProperty("topic"))
            .setGroupId(a.getProperty("group"))
            .setClientIdPrefix(a.getProperty("group"))
            .setStartingOffsets(OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
            .setDeserializer(new Decode());
    if (Boolean.parseBoolean(a.getProperty("bounded", "true"))) source.setBounded(OffsetsInitializer.latest());

    Properties aws = new Properties();
    aws.setProperty(AWSConfigConstants.AWS_REGION, "us-east-1");
    aws.setProperty(AWSConfigConstants.AWS_ENDPOINT, a.getProperty("endpoint"));
    aws.setProperty(AWSConfigConstants.AWS_CREDENTIALS_PROVIDER, "BASIC");
    aws.setProperty(AWSConfigConstants.accessKeyId(AWSConfigConstants.AWS_CREDENTIALS_PROVIDER), "local");
    aws.setProperty(AWSConfigConstants.secretKey(AWSConfigConstants.AWS_CREDENTIALS_PROVIDER), "local");
    DynamoDbSink<DynamoDbWriteRequest> sink =
        DynamoDbSink.<DynamoDbWriteRequest>builder()
            .setTableName(a.getProperty("table"))
            .setElementConverter((request, context) -> request)
            // BatchWriteItem refuses two writes of one key in a request: keep the later one.
            .setOverwriteByPartitionKeys(List.of(Items.KEY))
            .setFailOnError(true)
            .setDynamoDbProperties(aws)
            .build();

    env.fromSource(source.build(), WatermarkStrategy.noWatermarks(), "kafka")
        .sinkTo(sink)
        .name("dynamodb");

    Thread progress =
        new Thread(
            () -> {
              while (true) {
                print();
                try {
                  Thread.sleep(100);
                } catch (InterruptedException e) {
                  return;
                }
              }
            },
            "bench-progress");
    progress.setDaemon(true);
    progress.start();
    env.execute("cdc-dynamodb-sink bench peer");
    progress.interrupt();
    print();
    System.out.println("FINISHED");
    System.out.flush();
    // Stays up until the bench ends it, so that it can still read this JVM's CPU time and peak RSS.
    Thread.sleep(Long.MAX_VALUE);
  }

  private static synchronized void print() {
    System.out.println(
        "PROGRESS " + CONSUMED.sum() + " " + REQUESTS.sum() + " " + Acks.ACKNOWLEDGED.sum());
    System.out.flush();
  }
}
