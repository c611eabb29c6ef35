import { STATUS_CODES } from 'node:http';

/** The one shape of every error body the API returns. */
export interface ErrorEnvelope {
  statusCode: number;
  error: string;
  message: string;
  requestId: string | null;
  details?: unknown[];
}

export function errorEnvelope(
  statusCode: number,
  message: string,
  requestId: string | undefined,
  details?: unknown[],
): ErrorEnvelope {
  return {
    statusCode,
    error: STATUS_CODES[statusCode] ?? 'Error',
    message,
    requestId: requestId ?? null,
    ...(details && details.length > 0 ? { details } : {}),
  };
}
