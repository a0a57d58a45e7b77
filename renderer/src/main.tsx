import { StrictMode, type ReactNode } from 'react';
import { createRoot } from 'react-dom/client';
import { initI18n } from './i18n/index.ts';
import { NoTokenPage } from './shell/no-token.tsx';
import './styles.css';

await initI18n('ru');
// The customer display turned to the queue: `/customer` in the browser host (its own token), a second
// window on the second screen in Electron (`#/customer`, its own preload). It gets the cart and total
// only, over its own channel; the station's bridge is never opened for it.
const customer = location.pathname === '/customer' || location.hash.startsWith('#/customer');
const root = createRoot(document.getElementById('root')!);
const render = (node: ReactNode) => root.render(<StrictMode>{node}</StrictMode>);

/** Browser host: does this browser hold the station's cookie for this page? (Electron needs none.) */
async function hasKey(): Promise<boolean> {
  if (window.station || window.customerDisplay) return true;
  try {
    const res = await fetch(customer ? '/customer/session' : '/session', { cache: 'no-store' });
    return res.status !== 401;
  } catch {
    // The host is not answering: the screen's own reconnecting says so.
    return true;
  }
}

if (!(await hasKey())) render(<NoTokenPage />);
else if (customer) {
  const { CustomerDisplayPage } = await import('./customer/customer-display.tsx');
  render(<CustomerDisplayPage />);
} else {
  const [{ App }, { connectAppStore }] = await Promise.all([import('./shell/app.tsx'), import('./shell/app-store.ts')]);
  connectAppStore();
  render(<App />);
}
