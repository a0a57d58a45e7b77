import type { z } from 'zod';

/** One bridge request: the schema of what the renderer sends and of what the station answers. */
export interface RequestDef<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  readonly input: I;
  readonly output: O;
}

export function request<I extends z.ZodType, O extends z.ZodType>(input: I, output: O): RequestDef<I, O> {
  return { input, output };
}

/**
 * A protocol served by common/contract/router.ts and asked through common/contract/contract-client.ts:
 * its requests (input and output schemas by name) and the events the serving side pushes. The bridge
 * (index.ts) is one; the side channel between main and the station process (shell.ts) is another.
 */
export interface Contract {
  readonly requests: Readonly<Record<string, RequestDef>>;
  readonly events: Readonly<Record<string, z.ZodType>>;
}

export type RequestNameOf<C extends Contract> = keyof C['requests'] & string;
export type EventNameOf<C extends Contract> = keyof C['events'] & string;
/** What the asking side passes (before the schema's defaults and transforms). */
export type InputOf<C extends Contract, N extends RequestNameOf<C>> = z.input<C['requests'][N]['input']>;
/** What a handler receives: the input as its schema parsed it. */
export type ParsedInputOf<C extends Contract, N extends RequestNameOf<C>> = z.output<C['requests'][N]['input']>;
export type OutputOf<C extends Contract, N extends RequestNameOf<C>> = z.output<C['requests'][N]['output']>;
export type PayloadOf<C extends Contract, E extends EventNameOf<C>> = z.output<C['events'][E]>;
