import { useEffect } from 'react';
import { WedgeDetector, type WedgeOutput } from '../../../common/wedge-detector.ts';
import { station } from '../station-client.ts';
import { useApp } from './app-store.ts';

/** Puts text back where the held keys would have gone (React sees it as typing: execCommand fires input). */
function giveBack(target: Element | null, text: string): void {
  if (!text) return;
  if (!(target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement) || target.disabled || target.readOnly) return;
  if (document.activeElement !== target) target.focus();
  if (document.execCommand?.('insertText', false, text)) return;
  const start = target.selectionStart ?? target.value.length;
  const end = target.selectionEnd ?? start;
  target.setRangeText(text, start, end, 'end');
  target.dispatchEvent(new InputEvent('input', { bubbles: true, data: text, inputType: 'insertText' }));
}

/**
 * The give-back timer waits this much past the burst's deadline. A busy renderer can run a due timer
 * before a key event that is already queued (its own timeStamp well inside the gap); flushing then would
 * split one card into text plus a short burst. A person sees the held digit 60 ms later, which nobody
 * notices; the card/text decision itself still uses the keys' own time stamps.
 */
const FLUSH_GRACE_MS = 60;

/**
 * While a keyboard-wedge reader is configured, watches every key the window receives (capture phase):
 * a reader's burst ending in Enter becomes a `reader.wedgeCard` request and never reaches the focused
 * field; anything slower is given back to the field as typed. See common/wedge-detector.ts.
 */
export function useWedgeCapture(): void {
  const wedge = useApp((s) => s.settings?.readers.find((r) => r.kind === 'wedge') ?? null);
  const readerId = wedge?.id ?? null;
  const maxGapMs = wedge && wedge.kind === 'wedge' ? wedge.maxGapMs : 25;

  useEffect(() => {
    if (!readerId) return;
    const detector = new WedgeDetector({ maxGapMs });
    let target: Element | null = null;
    let timer: ReturnType<typeof setTimeout> | null = null;

    const apply = (outs: WedgeOutput[]) => {
      for (const o of outs) {
        if (o.kind === 'card') void station.invoke('reader.wedgeCard', { readerId, text: o.text }).catch(() => undefined);
        else giveBack(target, o.text);
      }
    };
    const arm = () => {
      if (timer) clearTimeout(timer);
      timer = null;
      const at = detector.deadline();
      if (at === null) return;
      timer = setTimeout(
        () => {
          timer = null;
          apply(detector.flush(performance.now()));
        },
        Math.max(0, at - performance.now()) + FLUSH_GRACE_MS,
      );
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.isComposing) return;
      const key = e.ctrlKey || e.altKey || e.metaKey ? 'Modifier' : e.key;
      if (!detector.pending) target = document.activeElement;
      const decision = detector.key(key, e.timeStamp);
      if (decision.swallow) {
        e.preventDefault();
        e.stopImmediatePropagation();
      }
      apply(decision.out);
      arm();
    };
    window.addEventListener('keydown', onKey, { capture: true });
    return () => {
      window.removeEventListener('keydown', onKey, { capture: true });
      if (timer) clearTimeout(timer);
      apply(detector.flush(Number.POSITIVE_INFINITY));
    };
  }, [readerId, maxGapMs]);
}
