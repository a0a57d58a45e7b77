/**
 * The station's clock. Events are stored in UTC by the station's own clock together with the offset
 * the station knows (server time − station time), learned from the backend's /v1/time.
 */
export interface Clock {
  now(): number;
  offsetMs(): number;
  setOffsetMs(offset: number): void;
}

export function systemClock(initialOffsetMs = 0): Clock {
  let offset = initialOffsetMs;
  return {
    now: () => Date.now(),
    offsetMs: () => offset,
    setOffsetMs: (o) => {
      offset = Math.round(o);
    },
  };
}
