import { z } from 'zod';

/**
 * What a station keeps to talk to its backend after enrollment. Declared here, not in sync/, because
 * two processes handle it: the sync engine uses it and, in Electron, main keeps it for the station
 * (the `vault` call of common/contract/shell.ts).
 */
export const StationCredentials = z.object({
  baseUrl: z.url({ protocol: /^https?$/ }),
  stationId: z.string().min(1),
  token: z.string().min(16),
  enrolledAt: z.iso.datetime(),
  schoolName: z.string().default(''),
});
export type StationCredentials = z.infer<typeof StationCredentials>;
