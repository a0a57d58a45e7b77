/** The part of nfc-pcsc (0.8, untyped) the PC/SC driver uses. */
declare module 'nfc-pcsc' {
  import { EventEmitter } from 'node:events';

  export interface PcscCard {
    atr?: Buffer;
    standard?: string;
    type?: string;
    uid?: string;
  }

  export class Reader extends EventEmitter {
    readonly name: string;
    autoProcessing: boolean;
    card: PcscCard | null;
    connection: { type: number; protocol: number } | null;
    transmit(data: Buffer, responseMaxLength: number): Promise<Buffer>;
    close(): void;
  }

  export class NFC extends EventEmitter {
    constructor(logger?: unknown);
    readonly readers: Record<string, unknown>;
    close(): void;
  }

  export const TAG_ISO_14443_3: string;
  export const TAG_ISO_14443_4: string;
}
