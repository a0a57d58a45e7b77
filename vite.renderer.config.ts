import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import type { UserConfig } from 'vite';

/** The renderer's build, shared by electron-vite (desktop) and the browser host (`npm run build:renderer`). */
export const rendererConfig: UserConfig = {
  root: resolve(import.meta.dirname, 'renderer'),
  base: './',
  plugins: [react()],
  build: {
    outDir: resolve(import.meta.dirname, 'out/renderer'),
    emptyOutDir: true,
    target: 'chrome130',
    rollupOptions: { input: { index: resolve(import.meta.dirname, 'renderer/index.html') } },
  },
};

export default rendererConfig;
