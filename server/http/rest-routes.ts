import type { AnyProcedure } from '@trpc/server';
import { z } from 'zod';
import type { Caller } from '#server/trpc/caller.ts';
import { authedProcedure } from '#server/trpc/init.ts';

/** A JSON Schema (2020-12, which OpenAPI 3.1 uses) as zod writes it. */
export type JsonSchema = Record<string, unknown> & { properties?: Record<string, JsonSchema>; required?: string[] };

export type RestRoute = {
  /** The procedure's path: `auth.me`. */
  path: string;
  method: 'GET' | 'POST';
  /** Under the REST prefix: `/auth/me`. */
  url: string;
  kind: 'query' | 'mutation';
  hasInput: boolean;
  /** Needs the bearer token (built on authedProcedure). */
  authed: boolean;
  input: JsonSchema | null;
  output: JsonSchema | null;
  /** The JSON type of each query parameter, to read it from its string. */
  queryTypes: Record<string, string>;
  call(caller: Caller, input: unknown): Promise<unknown>;
};

// authedProcedure's own middleware: a procedure built on it has it in its chain.
const SESSION_CHECK = (authedProcedure as unknown as { _def: { middlewares: unknown[] } })._def.middlewares.at(-1);

// multipart/form-data has no JSON form: the upload stays a tRPC call (API.md §16).
const NOT_IN_REST = new Set(['profile.uploadAvatar']);

type ZodLike = z.ZodType & { unwrap?: () => z.ZodType };

const jsonSchemaOf = (schema: z.ZodType, io: 'input' | 'output') =>
  z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as JsonSchema;

/** orgProcedure's `{orgId}` and the procedure's own input, as tRPC merges them: one object. */
function mergedInput(inputs: ZodLike[]): JsonSchema | null {
  if (inputs.length === 0) return null;
  const merged: JsonSchema = { type: 'object', properties: {}, required: [], additionalProperties: false };
  for (const input of inputs) {
    const schema = input.def.type === 'optional' && input.unwrap ? input.unwrap() : input;
    const { properties = {}, required = [] } = jsonSchemaOf(schema, 'input');
    Object.assign(merged.properties!, properties);
    merged.required!.push(...required);
  }
  return merged;
}

export function restRoutes(procedures: Record<string, AnyProcedure>): RestRoute[] {
  return Object.entries(procedures)
    .filter(([path]) => !NOT_IN_REST.has(path))
    .map(([path, procedure]) => {
      const def = procedure._def as unknown as {
        type: 'query' | 'mutation';
        inputs: ZodLike[];
        output?: z.ZodType;
        middlewares: unknown[];
      };
      const input = mergedInput(def.inputs);
      const segments = path.split('.');
      return {
        path,
        method: def.type === 'query' ? 'GET' : 'POST',
        url: `/${segments.join('/')}`,
        kind: def.type,
        hasInput: input !== null,
        authed: def.middlewares.includes(SESSION_CHECK),
        input,
        output: def.output ? jsonSchemaOf(def.output, 'output') : null,
        queryTypes: Object.fromEntries(
          Object.entries(input?.properties ?? {}).map(([name, schema]) => [name, String(schema.type ?? 'string')]),
        ),
        call(caller, value) {
          const procedureOf = segments.reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], caller);
          return (procedureOf as (input: unknown) => Promise<unknown>)(value);
        },
      } satisfies RestRoute;
    });
}
