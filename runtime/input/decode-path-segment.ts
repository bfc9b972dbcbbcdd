import { nulRefusal } from './input-limits.ts';
import { InputRefused } from './input-refused.ts';

/**
 * One %-encoded segment of a URL path, decoded; a broken escape (`%E0%A4%A`) or a NUL is a 400
 * naming `field`, never the URIError that would escape an upgrade handler and end the process.
 */
export function decodePathSegment(raw: string, field: string): string {
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    throw new InputRefused(`${field}: not valid percent-encoding (UTF-8 escapes such as %C3%A9)`);
  }
  if (decoded.includes('\0')) throw new InputRefused(`${field}: ${nulRefusal}`);
  return decoded;
}
