/** The Luhn checksum every payment card number carries; it tells a card from any long number. */
export function isLuhnValid(digits: string): boolean {
  let sum = 0;
  for (let position = 0; position < digits.length; position++) {
    let digit = digits.charCodeAt(digits.length - 1 - position) - 48;
    if (position % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return digits.length > 0 && sum % 10 === 0;
}
