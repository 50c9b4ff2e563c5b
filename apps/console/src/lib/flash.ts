// A one-shot message carried to the next page (e.g. "Instance created"), in memory only.
let pendingFlash: string | null = null;

export function setFlash(message: string): void {
  pendingFlash = message;
}

export function takeFlash(): string | null {
  const message = pendingFlash;
  pendingFlash = null;
  return message;
}
