import type { Span } from '@opentelemetry/api';
import { otelApi } from './otel-api.js';

/** The Fleet error code of an error, else its name (`TypeError`): what `error.type` carries. */
export function errorType(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') return code;
  return error instanceof Error ? error.name : typeof error;
}

/** Records `error` on `span` (an `exception` event, status `ERROR` with the code, `error.type`) and ends it. */
export function endWithError(span: Span, error: unknown): void {
  const type = errorType(error);
  span.setAttribute('error.type', type);
  if (error instanceof Error) span.recordException(error);
  else span.recordException(String(error));
  span.setStatus({ code: otelApi().SpanStatusCode.ERROR, message: type });
  span.end();
}
