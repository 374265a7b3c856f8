// The JSON API of puente-server. The bearer token lives in this module's
// memory only: never in storage, never in a URL; gone with the tab.
export interface ApiErrorBody {
  code: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface Session {
  user: string;
  role: string;
}

// The code of the error a call gets when the server no longer knows the
// token (expired or revoked); whenSessionEnds' callback has run.
export const kSessionEnded = 'session_ended';

let token: string | null = null;
let onSessionEnded: () => void = () => {};

export function whenSessionEnds(fn: () => void): void {
  onSessionEnded = fn;
}

export function signedIn(): boolean {
  return token !== null;
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {};
  if (token !== null) headers['Authorization'] = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
      credentials: 'omit',
    });
  } catch {
    throw new ApiError(0, 'network', '');
  }
  if (res.status === 204) return undefined as T;
  const data = await res.json().catch(() => null);
  if (!res.ok) {
    const e = (data?.error ?? { code: 'unknown', message: res.statusText }) as ApiErrorBody;
    if (res.status === 401 && token !== null && path !== '/api/v1/sessions') {
      token = null;
      onSessionEnded();
      throw new ApiError(401, kSessionEnded, e.message);
    }
    throw new ApiError(res.status, e.code, e.message);
  }
  return data as T;
}

export async function signIn(user: string, password: string): Promise<Session> {
  const r = await call<{ token: string }>('POST', '/api/v1/sessions', { user, password });
  token = r.token;
  return call<Session>('GET', '/api/v1/session');
}

export async function signOut(): Promise<void> {
  try {
    if (token !== null) await call<void>('DELETE', '/api/v1/sessions');
  } finally {
    token = null;
  }
}

export interface Candidate {
  id: string;
  registration_number: string;
  face_score: number | null;
  fused_score: number | null;
  tier: string;
  reasons: string[];
}

export interface Enrollment {
  id: string;
  status: string;
  applicant: { registration_number?: string; given_names?: string; surname1?: string };
  candidates: Candidate[];
  created_at: string;
}

export async function heldEnrollments(flagged: boolean): Promise<Enrollment[]> {
  const r = await call<{ enrollments: Enrollment[] }>(
    'GET',
    `/api/v1/enrollments?status=${flagged ? 'flagged' : 'held'}`,
  );
  return r.enrollments;
}
