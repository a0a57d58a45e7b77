/** "Иванова Мария Петровна" → "Иванова М. П.": how a PIN pad names its person (surname, initials). */
export function shortName(fullName: string): string {
  const [surname, ...rest] = fullName.trim().split(/\s+/);
  if (!surname) return fullName;
  const initials = rest.map((p) => `${p[0]!.toUpperCase()}.`).join(' ');
  return initials ? `${surname} ${initials}` : surname;
}
