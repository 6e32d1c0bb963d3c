// The part of @confluentinc/kafka-javascript's KafkaJS-compatible API (1.10.1) the adapter uses:
// the package ships no types the build can rely on, so these are written from its lib/kafkajs sources.

export type Options = Record<string, unknown>;
export type Message = {
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers?: Record<string, unknown>;
  timestamp: string;
};
export type CkConsumer = {
  connect(): Promise<void>;
  subscribe(s: { topics: (string | RegExp)[] }): Promise<void>;
  run(r: {
    partitionsConsumedConcurrently: number;
    eachBatchAutoResolve: boolean;
    eachBatch(p: {
      batch: { topic: string; partition: number; highWatermark?: string; messages: Message[] };
      resolveOffset: (offset: string) => void;
    }): Promise<void>;
  }): Promise<void>;
  pause(tps: { topic: string; partitions: number[] }[]): void;
  resume(tps: { topic: string; partitions: number[] }[]): void;
  seek(tpo: { topic: string; partition: number; offset: string }): void;
  commitOffsets(points: { topic: string; partition: number; offset: string }[]): Promise<void>;
  /** The group's stored offsets (an OffsetFetch); `offset` null or negative when none. */
  committed(
    tps: { topic: string; partition: number }[],
    timeoutMs: number,
  ): Promise<{ topic: string; partition: number; offset: string | null }[]>;
  disconnect(): Promise<void>;
};
export type CkProducer = {
  connect(): Promise<void>;
  send(r: { topic: string; messages: object[] }): Promise<unknown>;
  disconnect(): Promise<void>;
};
export type CkKafka = {
  consumer(o: Options): CkConsumer;
  producer(o: Options): CkProducer;
};
export type CkModule = { KafkaJS: { Kafka: new (o: Options) => CkKafka } };
