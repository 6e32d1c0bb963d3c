// The raw variables as the schema built from ENV_SPEC parses them, before they are shaped into Config.
import { z } from "zod";
import { ENV_SPEC, type EnvName } from "./env-spec.ts";

type Spec = (typeof ENV_SPEC)[number];
export type Shape = {
  [V in Spec as V["name"]]: V extends { required: true } | { default: string }
    ? V["parse"]
    : z.ZodOptional<V["parse"]>;
};

export const shape = Object.fromEntries(
  ENV_SPEC.map((v) => [v.name, "required" in v || "default" in v ? v.parse : v.parse.optional()]),
) as unknown as Shape;

export type Values = z.output<z.ZodObject<Shape>>;
export type Issue = (name: EnvName, message: string) => void;
