export const EMAIL_RULE = "Your e-mail address, like name@example.com.";
export const PASSWORD_RULE = "Between 8 and 128 characters.";

export function validateEmail(email: string): string | undefined {
  const t = email.trim();
  if (!t) return "Enter your e-mail address.";
  if (t.length > 254 || !/^[^\s@]+@[^\s@]+\.[^\s@.]+$/.test(t)) {
    return "Enter a valid e-mail address, like name@example.com.";
  }
  return undefined;
}

/** Characters as a person counts them (emoji count once). */
export function charCount(s: string): number {
  return Array.from(s).length;
}

export function validateNewPassword(password: string): string | undefined {
  const n = charCount(password);
  if (n === 0) return "Choose a password of 8 to 128 characters.";
  if (n < 8) return `The password is too short: ${n} of at least 8 characters.`;
  if (n > 128) return `The password is too long: ${n} of at most 128 characters.`;
  return undefined;
}

export function validateExistingPassword(password: string): string | undefined {
  return password ? undefined : "Enter your password.";
}
