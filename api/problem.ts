/** RFC 9457 problem+json responses; every error the API returns goes through here. */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ZodError } from 'zod';

export interface FieldError {
  field: string;
  detail: string;
  in?: 'body' | 'query' | 'path' | 'header';
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: FieldError[];
}

const TITLES: Record<number, string> = {
  400: 'Bad request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not found',
  405: 'Method not allowed',
  409: 'Conflict',
  413: 'Payload too large',
  415: 'Unsupported media type',
  422: 'Unprocessable content',
  429: 'Too many requests',
  500: 'Internal server error',
  503: 'Service unavailable',
};

/** Thrown anywhere in a request; `app.onError` turns it into the response. */
export class ProblemError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly detail: string,
    readonly errors?: FieldError[],
    readonly slug?: string,
  ) {
    super(detail);
  }
}

export function problemBody(status: number, detail: string, errors?: FieldError[], slug?: string): Problem {
  const title = TITLES[status] ?? 'Error';
  return {
    type: `https://returns-orchestrator.dev/problems/${slug ?? title.toLowerCase().replace(/\s+/g, '-')}`,
    title,
    status,
    detail,
    ...(errors && errors.length ? { errors } : {}),
  };
}

export function problem(
  c: Context,
  status: ContentfulStatusCode,
  detail: string,
  errors?: FieldError[],
  slug?: string,
): Response {
  return c.body(JSON.stringify(problemBody(status, detail, errors, slug)), status, {
    'content-type': 'application/problem+json',
  });
}

/** `lines.0.quantity` → `lines[0].quantity`: the way the field reads in the request. */
export function fieldPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)),
    '',
  );
}

export function zodFieldErrors(error: ZodError, where: FieldError['in']): FieldError[] {
  return error.issues.map((issue) => ({
    field: fieldPath(issue.path) || (where === 'body' ? '(body)' : `(${where})`),
    detail: issue.message,
    in: where,
  }));
}
