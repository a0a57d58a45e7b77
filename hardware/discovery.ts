/**
 * What setup shows IT to choose from: the PC/SC readers pcscd reports and the serial ports the
 * system knows (USB adapters with their vendor ids, so a CH340 relay is told from a reader).
 */
import { SerialPort } from 'serialport';
import { defaultHardwareLog, type HardwareLog } from './log.ts';
import { acquirePcscContext, pcscdAnswers, releasePcscContext } from './pcsc-context.ts';

export interface SerialPortInfo {
  path: string;
  manufacturer: string | null;
  serialNumber: string | null;
  vendorId: string | null;
  productId: string | null;
  /** A CH340 (1A86:7523) is what LCUS relays are built on. */
  likelyRelay: boolean;
}

export interface Discovery {
  pcscAvailable: boolean;
  pcscReaders: string[];
  serialPorts: SerialPortInfo[];
}

/** Names of the PC/SC readers pcscd reports; empty when pcscd is not running. */
export async function listPcscReaders(options: { log?: HardwareLog; settleMs?: number } = {}): Promise<string[]> {
  if (!(await pcscdAnswers())) return [];
  const ctx = acquirePcscContext(options.log ?? defaultHardwareLog());
  try {
    // Readers are announced shortly after the context is built; wait for them to settle.
    const settle = options.settleMs ?? 300;
    let last = -1;
    const until = Date.now() + 3000;
    while (Date.now() < until) {
      await new Promise((r) => setTimeout(r, settle));
      const n = ctx.readers().size;
      if (ctx.state === 'ready' && n === last) break;
      last = n;
    }
    return [...ctx.readers().keys()].sort();
  } finally {
    releasePcscContext(ctx);
  }
}

export async function listSerialPorts(): Promise<SerialPortInfo[]> {
  try {
    const ports = await SerialPort.list();
    return ports.map((p) => ({
      path: p.path,
      manufacturer: p.manufacturer ?? null,
      serialNumber: p.serialNumber ?? null,
      vendorId: p.vendorId ?? null,
      productId: p.productId ?? null,
      likelyRelay: p.vendorId?.toLowerCase() === '1a86' && p.productId?.toLowerCase() === '7523',
    }));
  } catch {
    return [];
  }
}

export async function discoverHardware(options: { log?: HardwareLog } = {}): Promise<Discovery> {
  const [pcscAvailable, pcscReaders, serialPorts] = await Promise.all([pcscdAnswers(), listPcscReaders(options), listSerialPorts()]);
  return { pcscAvailable, pcscReaders, serialPorts };
}
