import { Injectable } from '@nestjs/common';

/** What is known about a request once its response has closed. */
export interface CompletedRequest {
  requestId: string;
  tenant: string | null;
  method: string;
  /** Route template (`/v1/leads/:id`) or `unmatched`: never a raw path. */
  route: string;
  status: number;
  durationMs: number;
  /** True when the client went away before the response was fully written. */
  aborted: boolean;
}

export type RequestListener = (request: CompletedRequest) => void;

/**
 * The one place where finished requests are announced. The access log and the HTTP metrics
 * subscribe to it, so both see every request (errors, 404s and rejected hosts included) with
 * the same route template and duration.
 */
@Injectable()
export class RequestCompletion {
  private readonly listeners: RequestListener[] = [];

  subscribe(listener: RequestListener): void {
    this.listeners.push(listener);
  }

  emit(request: CompletedRequest): void {
    for (const listener of this.listeners) listener(request);
  }
}
