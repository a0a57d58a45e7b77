import type { z } from 'zod';

/** One bridge request: the schema of what the renderer sends and of what the station answers. */
export interface RequestDef<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  readonly input: I;
  readonly output: O;
}

export function request<I extends z.ZodType, O extends z.ZodType>(input: I, output: O): RequestDef<I, O> {
  return { input, output };
}
