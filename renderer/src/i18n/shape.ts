/** The English side must have exactly the Russian keys, with strings where Russian has strings. */
export type Translation<T> = { [K in keyof T]: T[K] extends string ? string : Translation<T[K]> };
