import { FleetError } from '../errors.js';

/** Collects every problem of the security options, so that one boot error lists them all. @internal */
export class Problems {
  private readonly list: string[] = [];

  add(message: string): void {
    this.list.push(message);
  }

  /** Throws FLEET_ERR_SECURITY_INVALID_OPTIONS listing every problem, if there is any. */
  throwIfAny(): void {
    if (this.list.length === 0) return;
    throw new FleetError('FLEET_ERR_SECURITY_INVALID_OPTIONS',
      `Invalid security options (createApp): ${this.list.length} problem${this.list.length > 1 ? 's' : ''}:\n${this.list.map((p) => `  - ${p}`).join('\n')}\n` +
      'See docs/security.md for each option and its default.');
  }
}
