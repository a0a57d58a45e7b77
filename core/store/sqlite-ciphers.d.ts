// better-sqlite3-multiple-ciphers ships its own index.d.ts but its package.json `exports` hides it from
// TypeScript's resolution; its API is better-sqlite3's, so it takes better-sqlite3's types.
declare module 'better-sqlite3-multiple-ciphers' {
  import Database from 'better-sqlite3';
  export = Database;
}
