import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './shell/app.tsx';
import { CustomerDisplayPage } from './customer/customer-display.tsx';
import { initI18n } from './i18n/index.ts';
import { connectAppStore } from './shell/app-store.ts';
import './styles.css';

await initI18n('ru');
// `#/customer`: the customer display turned to the queue (a second page in the browser host, a
// second window on the second screen in Electron). It gets the cart and total only, never a balance.
const customer = location.hash.startsWith('#/customer');
if (!customer) connectAppStore();
createRoot(document.getElementById('root')!).render(<StrictMode>{customer ? <CustomerDisplayPage /> : <App />}</StrictMode>);
