/**
 * Where connector credentials live. Settings files name a secret (`{"secret": "rt-main-token"}`), never hold it;
 * the value is fetched from a `SecretStore` only when a connector is built. The desktop app backs the store with
 * Electron's safeStorage (electron/main/safeStorageSecrets.ts), the CLI with a file only its user can read
 * (`FileSecretStore`). Values never appear in logs or errors: `redactSecrets` removes them from any text that
 * leaves the sync engine.
 */

/** Names of secrets: letters, digits, `.`, `-`, `_`; what a person would type. */
export const SECRET_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export interface SecretStore {
  /** The secret's value, or null when there is none by that name. */
  get(name: string): Promise<string | null>;
  set(name: string, value: string): Promise<void>;
  /** True when a secret was removed. */
  delete(name: string): Promise<boolean>;
  /** Names only, sorted. */
  list(): Promise<string[]>;
}

/** Throws unless `name` is a valid secret name. */
export function assertSecretName(name: string): void {
  // "__proto__" fits the pattern but, as a key of the plain objects secrets are kept in, it sets the prototype
  // instead of a value: the secret would vanish on the next save.
  if (!SECRET_NAME_PATTERN.test(name) || name === '__proto__') {
    throw new Error(`"${name}" is not a valid secret name: use letters, digits, ".", "-" and "_" (at most 64 characters).`);
  }
}

/**
 * Replaces every occurrence of the given secret values in `text` with `[secret]`. Values shorter than 4
 * characters are not replaced (they would mangle ordinary words and are too weak to be worth hiding).
 */
export function redactSecrets(text: string, values: Iterable<string>): string {
  let out = text;
  const sorted = [...new Set(values)].filter((v) => v.length >= 4).sort((a, b) => b.length - a.length);
  for (const value of sorted) {
    out = out.split(value).join('[secret]');
    // Also the forms a value takes inside URLs and HTTP headers.
    const encoded = encodeURIComponent(value);
    if (encoded !== value) out = out.split(encoded).join('[secret]');
    const base64 = Buffer.from(value).toString('base64');
    out = out.split(base64).join('[secret]');
  }
  return out;
}

/** A store held in memory: for tests and for secrets typed in for one run. */
export class MemorySecretStore implements SecretStore {
  private readonly values = new Map<string, string>();

  async get(name: string): Promise<string | null> {
    return this.values.get(name) ?? null;
  }

  async set(name: string, value: string): Promise<void> {
    assertSecretName(name);
    this.values.set(name, value);
  }

  async delete(name: string): Promise<boolean> {
    return this.values.delete(name);
  }

  async list(): Promise<string[]> {
    return [...this.values.keys()].sort();
  }
}
