/** A small HTTP client for the operator commands: JSON in, JSON out, clear errors. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

export interface TenantListing {
  count: number;
  tenants: Array<{ tenant: string; keys: Array<{ id: string; source: string; fingerprint: string }> }>;
}

export class ApiClient {
  constructor(
    private readonly baseUrl: string,
    private readonly headers: Record<string, string>,
    private readonly timeoutMs = 10000,
  ) {}

  async request<T>(method: string, path: string): Promise<T> {
    const url = new URL(path, this.baseUrl).toString();
    let res: Response;
    try {
      res = await fetch(url, { method, headers: this.headers, signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
      throw new ApiError(`cannot reach the API at ${this.baseUrl} (${cause}); is it running?`);
    }
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    if (!res.ok) {
      const message = (body as { message?: string })?.message ?? text.slice(0, 200);
      throw new ApiError(`${method} ${path} failed: ${res.status} ${message}`, res.status);
    }
    return body as T;
  }
}
