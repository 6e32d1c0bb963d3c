// The stack's programmatic API, for the test harness and fault tests.
export { startStack, stopStack, type StartOptions } from "./stack.ts";
export { killPart, startPart, stackStatus, type PartStatus, type StackStatus } from "./control.ts";
export { readEndpoints, resolveDir, PART_NAMES, type Endpoints, type PartName } from "./state.ts";
export { StackError } from "./errors.ts";
