/** Facts about how the application runs, injectable: `constructor(private readonly env: AppEnvironment) {}`. */
export class AppEnvironment {
  constructor(
    /** `createApp`'s `production` option (default: NODE_ENV === 'production'). */
    readonly production: boolean,
  ) {
    Object.freeze(this);
  }
}
