/**
 * How a card appears in a log line: never its number, a short salted hash ("карта #a3f9") that IT can
 * match on this station (setup: tap or type a card, see its tag). The salt is derived from the station's
 * data key, so the tag is the same across restarts here and means nothing on another station or to
 * someone holding only the log. Until the station sets its salt (or in tools and tests) a random one is
 * used: tags then match only within that process.
 */
import { createHmac, randomBytes } from 'node:crypto';

let salt: Buffer = randomBytes(32);

export function setCardTagSalt(key: Buffer): void {
  salt = Buffer.from(key);
}

/** `карта #xxxx`: 4 hex digits of HMAC-SHA256(salt, technology:uid); the uid is upper-case canonical hex. */
export function cardTag(card: { technology: string; uid: string }): string {
  const h = createHmac('sha256', salt).update(`${card.technology}:${card.uid.toUpperCase()}`).digest('hex');
  return `карта #${h.slice(0, 4)}`;
}
