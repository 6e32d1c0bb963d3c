// The fault matrix (docs/reliability.md), one scenario per row.

import type { Scenario } from "../scenario.ts";
import { baseline } from "./01-baseline.ts";
import { fullReplay } from "./02-full-replay.ts";
import { outOfOrder } from "./03-out-of-order.ts";
import { cleanBounce } from "./04-clean-bounce.ts";
import { hardBounce } from "./05-hard-bounce.ts";
import { zombie } from "./06-zombie.ts";
import { rebalanceStorm } from "./07-rebalance-storm.ts";
import { brokerDown } from "./08-broker-down.ts";
import { kafkaErrors } from "./09-kafka-errors.ts";
import { slowNetwork } from "./10-slow-network.ts";
import { dynamodbDown } from "./11-dynamodb-down.ts";
import { ackLost } from "./12-ack-lost.ts";
import { throttling } from "./13-throttling.ts";
import { badInputs } from "./14-bad-inputs.ts";
import { poisonMiddle } from "./15-poison-middle.ts";
import { deletes } from "./16-deletes.ts";
import { snapshotOverlap } from "./17-snapshot-overlap.ts";
import { processErrors } from "./18-process-errors.ts";
import { stuckHandler } from "./19-stuck-handler.ts";
import { security } from "./20-security.ts";

export const SCENARIOS: Record<string, Scenario> = {
  "01": baseline,
  "02": fullReplay,
  "03": outOfOrder,
  "04": cleanBounce,
  "05": hardBounce,
  "06": zombie,
  "07": rebalanceStorm,
  "08": brokerDown,
  "09": kafkaErrors,
  "10": slowNetwork,
  "11": dynamodbDown,
  "12": ackLost,
  "13": throttling,
  "14": badInputs,
  "15": poisonMiddle,
  "16": deletes,
  "17": snapshotOverlap,
  "18": processErrors,
  "19": stuckHandler,
  "20": security,
};
