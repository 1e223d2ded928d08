/**
 * A report table as CSV (RFC 4180: comma, CRLF, quotes doubled). A cell a spreadsheet would run
 * as a formula (starting `=`, `+`, `-`, `@`, tab or CR) is prefixed with `'`, since agents' names
 * and kinds reach these files from outside.
 */
import type { Cell, ReportTable } from './tables.js';

export function toCsv(table: ReportTable): string {
  return `${[table.columns, ...table.rows].map((row) => row.map(cell).join(',')).join('\r\n')}\r\n`;
}

function cell(value: Cell): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
