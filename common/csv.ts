/**
 * One CSV cell as the station or the server writes it. A spreadsheet runs a cell that begins with
 * `=`, `+`, `-` or `@` (or a tab or carriage return before one) as a formula, and a child's name or a
 * visitor's note is typed by whoever stands at the screen: such a cell gets a leading apostrophe, which
 * spreadsheets show as text. Quotes, separators and line breaks are quoted as RFC 4180 says.
 */
export function csvCell(value: string, separator = ';'): string {
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return text.includes(separator) || /["\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Lines of cells, CRLF-terminated (what spreadsheets on Windows expect). */
export function csvLines(rows: readonly (readonly string[])[], separator = ';'): string {
  return rows.map((r) => r.map((c) => csvCell(c, separator)).join(separator)).join('\r\n') + '\r\n';
}
