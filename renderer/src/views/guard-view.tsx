import { GuardScreen } from './guard-screen.tsx';

/**
 * Guard post. The full screen (issue 5) lives in guard-screen.tsx: the last tap large (photo first, then
 * name and class, verdict as colour + icon + word), the strip of earlier taps, counters, feed, search with
 * manual open, visitor pass, forgotten card and emergency mode.
 */
export function GuardView() {
  return <GuardScreen />;
}
