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
  office?: string;  // the office this server registers for (--office)
  // The field kit this server runs on (docs/web.md, "Field-kit mode"); null at the centre.
  kit?: { kit_id: string; office_code: string } | null;
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

// One call of the JSON API with the session's token; an ApiError for any
// answer but 2xx (status 0: the server could not be reached).
export async function call<T>(
  method: string,
  path: string,
  body?: unknown,
  extraHeaders: Record<string, string> = {},
): Promise<T> {
  const headers: Record<string, string> = { ...extraHeaders };
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
  if (!res.ok) failed(res, path, data);
  return data as T;
}

// A binary resource (a photo, a card's PNG or PDF) with the session's token.
export async function fetchBlob(path: string): Promise<Blob> {
  const headers: Record<string, string> = {};
  if (token !== null) headers['Authorization'] = `Bearer ${token}`;
  let res: Response;
  try {
    res = await fetch(path, { headers, cache: 'no-store', credentials: 'omit' });
  } catch {
    throw new ApiError(0, 'network', '');
  }
  if (!res.ok) failed(res, path, await res.json().catch(() => null));
  return res.blob();
}

// The ApiError of an answer that is not 2xx; a 401 on a signed-in call ends
// the session (whenSessionEnds' callback runs).
function failed(res: Response, path: string, data: { error?: ApiErrorBody } | null): never {
  const e = data?.error ?? { code: 'unknown', message: res.statusText };
  if (res.status === 401 && token !== null && path !== '/api/v1/sessions') {
    token = null;
    onSessionEnded();
    throw new ApiError(401, kSessionEnded, e.message);
  }
  throw new ApiError(res.status, e.code, e.message);
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

export interface Document {
  type: string;
  issuing_country: string;
  number: string;
  expiry_date?: string;
}

// An applicant as the server answers it (registry ToJson(Applicant)).
export interface Applicant {
  registration_number: string;
  case_number: string;
  relationship: string;
  given_names: string;
  surname1: string;
  surname2: string;
  sex: string;
  date_of_birth: string;
  date_of_birth_precision: string;
  nationality: string;
  place_of_birth: string;
  languages: string[];
  phone: string;
  address: string;
  documents: Document[];
  office: string;
  officer: string;
  created_at: string;
}

export interface Candidate {
  id: string;
  registration_number: string;
  face_score: number | null;
  demographic_score: number;
  fused_score: number | null;
  tier: string;
  reasons: string[];
  decision: string | null;
  decided_by?: string;
  decided_at?: string;
}

export interface Enrollment {
  id: string;
  status: string;
  applicant: Applicant;
  candidates: Candidate[];
  created_at: string;
  created_by: string;
}

export async function heldEnrollments(flagged: boolean): Promise<Enrollment[]> {
  const r = await call<{ enrollments: Enrollment[] }>(
    'GET',
    `/api/v1/enrollments?status=${flagged ? 'flagged' : 'held'}`,
  );
  return r.enrollments;
}

export function enrollmentOf(registrationNumber: string): Promise<Enrollment> {
  return call<Enrollment>('GET', `/api/v1/applicants/${encodeURIComponent(registrationNumber)}`);
}

export function photoPath(registrationNumber: string): string {
  return `/api/v1/applicants/${encodeURIComponent(registrationNumber)}/photo`;
}

export function decide(candidateId: string, decision: 'same_person' | 'different', note: string): Promise<Enrollment> {
  return call<Enrollment>('POST', `/api/v1/candidates/${encodeURIComponent(candidateId)}/decision`, {
    decision,
    note,
  });
}
