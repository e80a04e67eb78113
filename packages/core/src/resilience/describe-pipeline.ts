/** @internal marks an installed pipeline with the stages it was composed of. */
export const kPipeline = Symbol('fleet.resilience.pipeline');

export interface PipelineDescription {
  /** `PaymentClient.charge` */
  readonly method: string;
  /** Stage names, outermost first, ending with `'method'`. */
  readonly stages: readonly string[];
}

/**
 * The stages of a method's compiled pipeline, outermost first, as they were composed at boot:
 * `describePipeline(app.get(PaymentClient), 'charge')` // => ['Retry', 'CircuitBreaker', 'Timeout', 'Bulkhead', 'method'].
 * Undefined when the method has no resilience decorators (it is then the plain method).
 */
export function describePipeline(instance: object, method: string): readonly string[] | undefined {
  const fn = (instance as Record<string, unknown>)[method];
  return typeof fn === 'function' ? (fn as { [kPipeline]?: PipelineDescription })[kPipeline]?.stages : undefined;
}
