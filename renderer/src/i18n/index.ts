import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import enAccess from './en/access.ts';
import enCashier from './en/cashier.ts';
import enCommon from './en/common.ts';
import enGuard from './en/guard.ts';
import enHardware from './en/hardware.ts';
import enIt from './en/it.ts';
import enSetup from './en/setup.ts';
import enStationSettings from './en/station-settings.ts';
import enSync from './en/sync.ts';
import enUpdate from './en/update.ts';
import enSchool from './en/school.ts';
import ruAccess from './ru/access.ts';
import enPrivacy from './en/privacy.ts';
import ruCashier from './ru/cashier.ts';
import ruCommon from './ru/common.ts';
import ruGuard from './ru/guard.ts';
import ruHardware from './ru/hardware.ts';
import ruIt from './ru/it.ts';
import ruSetup from './ru/setup.ts';
import ruStationSettings from './ru/station-settings.ts';
import ruSync from './ru/sync.ts';
import ruUpdate from './ru/update.ts';
import ruSchool from './ru/school.ts';
import ruPrivacy from './ru/privacy.ts';

/**
 * The one i18n layer. One namespace per area (common, setup, guard, cashier, …): an area adds its
 * ru/<area>.ts and en/<area>.ts and one line in each map below. Russian first, English second.
 */
export const resources = {
  ru: {
    common: ruCommon,
    guard: ruGuard,
    cashier: ruCashier,
    setup: ruSetup,
    update: ruUpdate,
    sync: ruSync,
    hardware: ruHardware,
    access: ruAccess,
    it: ruIt,
    stationSettings: ruStationSettings,
    privacy: ruPrivacy,
    school: ruSchool,
  },
  en: {
    common: enCommon,
    guard: enGuard,
    cashier: enCashier,
    setup: enSetup,
    update: enUpdate,
    sync: enSync,
    hardware: enHardware,
    access: enAccess,
    it: enIt,
    stationSettings: enStationSettings,
    privacy: enPrivacy,
    school: enSchool,
  },
} as const;

export const defaultNS = 'common';

declare module 'i18next' {
  interface CustomTypeOptions {
    defaultNS: typeof defaultNS;
    resources: (typeof resources)['ru'];
  }
}

export async function initI18n(lng: 'ru' | 'en' = 'ru'): Promise<typeof i18next> {
  await i18next.use(initReactI18next).init({
    resources,
    lng,
    fallbackLng: 'ru',
    defaultNS,
    interpolation: { escapeValue: false },
    returnNull: false,
  });
  return i18next;
}
