import {
  endpoints,
  type Endpoint,
  type EndpointInput,
  type EndpointOutput,
  type EndpointRegistry,
  type ErrorBody,
  type ErrorIssue,
} from '@communities/contract';

/** An API error: the HTTP status and the contract's machine-readable code. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issues: ErrorIssue[] = [],
    readonly details: Record<string, unknown> = {},
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(message);
  }

  /** True when the request never reached the server (offline, DNS, refused). */
  get isNetwork(): boolean {
    return this.status === 0;
  }
}

export type TokenProvider = () => string | null | undefined | Promise<string | null | undefined>;

export interface ApiOptions {
  /** Origin (and base path) of the addon, e.g. https://school.example.com; '' for same origin. */
  baseUrl: string;
  /** The RocketLMS JWT, sent as a Bearer token; omit on web pages that use the session cookie. */
  token?: TokenProvider;
  /** Extra headers per request, e.g. x-api-key or X-XSRF-TOKEN. */
  headers?: () => Record<string, string>;
  fetch?: typeof fetch;
  credentials?: RequestInit['credentials'];
  /** Called on every 401, e.g. to send the user to sign in. */
  onUnauthorized?: (error: ApiError) => void;
}

type Caller<E extends Endpoint> =
  object extends EndpointInput<E>
    ? (input?: EndpointInput<E>, init?: { signal?: AbortSignal }) => Promise<EndpointOutput<E>>
    : (input: EndpointInput<E>, init?: { signal?: AbortSignal }) => Promise<EndpointOutput<E>>;

export type Api<R extends EndpointRegistry = typeof endpoints> = {
  [G in keyof R]: { [K in keyof R[G]]: Caller<R[G][K]> };
} & {
  call<E extends Endpoint>(endpoint: E, input?: EndpointInput<E>, init?: { signal?: AbortSignal }): Promise<EndpointOutput<E>>;
  /** The URL of an endpoint, e.g. to put an attachment download in an <img>. */
  url<E extends Endpoint>(endpoint: E, input?: EndpointInput<E>): string;
};

const scalar = (v: unknown): string =>
  typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v);

function buildUrl(base: string, ep: Endpoint, input: { params?: object; query?: object } | undefined): string {
  const path = ep.path.replace(/:([A-Za-z_]+)/g, (_, name: string) => {
    const value = (input?.params as Record<string, unknown> | undefined)?.[name];
    if (value === undefined || value === null) throw new Error(`Missing path parameter ${name} for ${ep.method} ${ep.path}`);
    return encodeURIComponent(scalar(value));
  });
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries((input?.query as Record<string, unknown> | undefined) ?? {})) {
    if (v === undefined || v === null) continue;
    if (Array.isArray(v)) for (const item of v as unknown[]) qs.append(k, scalar(item));
    else qs.append(k, scalar(v));
  }
  const q = qs.toString();
  return `${base.replace(/\/$/, '')}${path}${q ? `?${q}` : ''}`;
}

async function toError(res: Response): Promise<ApiError> {
  let body: Partial<ErrorBody> = {};
  try {
    body = (await res.json()) as ErrorBody;
  } catch {
    // not JSON: a proxy error page, for instance
  }
  const retry = res.headers.get('retry-after');
  return new ApiError(
    res.status,
    body.error?.code ?? (res.status === 401 ? 'unauthenticated' : 'http_error'),
    body.error?.message ?? res.statusText,
    body.error?.issues ?? [],
    body.error?.details ?? {},
    retry ? Number(retry) : null,
  );
}

/** One typed function per contract endpoint: `api.system.health()`, `api.communities.list({ query })`. */
export function createApi<R extends EndpointRegistry = typeof endpoints>(
  options: ApiOptions,
  registry: R = endpoints as unknown as R,
): Api<R> {
  const doFetch = options.fetch ?? ((...args: Parameters<typeof fetch>) => fetch(...args));

  async function call<E extends Endpoint>(ep: E, input?: EndpointInput<E>, init?: { signal?: AbortSignal }): Promise<EndpointOutput<E>> {
    const i = input as { params?: object; query?: object; body?: unknown } | undefined;
    const headers: Record<string, string> = { accept: 'application/json', ...(options.headers?.() ?? {}) };
    const token = await options.token?.();
    if (token) headers.authorization = `Bearer ${token}`;
    let body: RequestInit['body'];
    if (ep.raw?.request === 'multipart') body = i?.body as FormData;
    else if (ep.method !== 'GET' && ep.method !== 'DELETE') {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(i?.body ?? {});
    } else if (ep.method === 'DELETE' && i?.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(i.body);
    }
    let res: Response;
    try {
      res = await doFetch(buildUrl(options.baseUrl, ep, i), {
        method: ep.method,
        headers,
        ...(body !== undefined ? { body } : {}),
        ...(options.credentials ? { credentials: options.credentials } : {}),
        ...(init?.signal ? { signal: init.signal } : {}),
      });
    } catch (error) {
      if ((error as Error).name === 'AbortError') throw error;
      throw new ApiError(0, 'network_error', (error as Error).message);
    }
    if (!res.ok) {
      const error = await toError(res);
      if (res.status === 401) options.onUnauthorized?.(error);
      throw error;
    }
    if (ep.raw?.response === 'binary') return (await res.blob()) as EndpointOutput<E>;
    return (await res.json()) as EndpointOutput<E>;
  }

  const api: Record<string, unknown> = {
    call,
    url: (ep: Endpoint, input?: { params?: object; query?: object }) => buildUrl(options.baseUrl, ep, input),
  };
  for (const [group, eps] of Object.entries(registry)) {
    const fns: Record<string, unknown> = {};
    for (const [name, ep] of Object.entries(eps))
      fns[name] = (input?: unknown, init?: { signal?: AbortSignal }) => call(ep, input as never, init);
    api[group] = fns;
  }
  return api as Api<R>;
}
